import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildInferenceApp } from '../lib/inference-app';
import { InferenceServiceStack } from '../lib/inference-service-stack';
import { acknowledgeNagFindings } from '../lib/nag-acknowledgements';
import { STACK_ID } from '../lib/template-contract';

let outdir: string;
beforeEach(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'app-test-'));
});
afterEach(() => fs.rmSync(outdir, { recursive: true, force: true }));

test('cdk-nag AwsSolutionsChecks reports no unacknowledged findings', () => {
  const { app } = buildInferenceApp({ outdir });
  const report = new AwsSolutionsChecks(app).validateScope(app);
  expect(report.violations).toEqual([]);
  expect(report.success).toBe(true);
});

test('synth writes <STACK_ID>.template.json with the nag plugin attached', () => {
  const { app } = buildInferenceApp({ outdir });
  const assembly = app.synth();
  expect(assembly.stacks.map((s) => path.basename(s.templateFullPath))).toEqual([`${STACK_ID}.template.json`]);
});

test('without its acknowledgement the conditional authorization is an APIG4 finding', () => {
  const app = new App({ outdir });
  new InferenceServiceStack(app, STACK_ID, { synthesizer: new BootstraplessSynthesizer() });
  const report = new AwsSolutionsChecks(app).validateScope(app);
  expect(report.violations.map((v) => v.ruleName)).toEqual(['AwsSolutions-APIG4']);
});

test('synth fails when a finding is not acknowledged', () => {
  const app = new App({ outdir });
  new InferenceServiceStack(app, STACK_ID, { synthesizer: new BootstraplessSynthesizer() });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/);
});

test('every acknowledgement carries a reason', () => {
  const app = new App({ outdir });
  const stack = new InferenceServiceStack(app, STACK_ID, { synthesizer: new BootstraplessSynthesizer() });
  acknowledgeNagFindings(stack);
  const acks = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data));
  expect(acks.length).toBeGreaterThan(0);
  for (const ack of acks.flat()) {
    for (const reason of Object.values(ack as Record<string, string>)) expect(reason.length).toBeGreaterThanOrEqual(40);
  }
});
