import * as fs from 'fs';
import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { IPolicyValidationContextBeta1 } from 'aws-cdk-lib';
import { SYNTH_DIR, TEST_CONFIG_FILE, TEST_ENV, portfolioTemplateFile, productTemplateFile, PRODUCT_KINDS, templateFiles } from './synthesized-app';
import { ControlTowerGuard } from '../product/control-tower-guard';
import { CONTROLS, GUARD_PLUGIN_NAME, guardAcknowledgements, SEED_GUARD_ACKNOWLEDGEMENTS } from '../product/guard-acknowledgements';
import { createProductApp } from '../product/product-app';

/**
 * The Control Tower guard runs as a CDK validation plugin (product/product-app.ts): synth already fails on a finding.
 * These tests read its report, and run the same rules without any acknowledgement to prove each one is still needed.
 */
const report = JSON.parse(fs.readFileSync(path.join(SYNTH_DIR, 'validation-report.json'), 'utf8'));
const guardReport = report.pluginReports.find((p: any) => p.pluginName === GUARD_PLUGIN_NAME);
const SEED_DIR = path.join(__dirname, '..', 'seed-repos');
const RULES_DIR = path.join(path.dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json')), 'rules', 'control-tower', 'cfn-guard');

type Finding = { rule: string; template: string; logicalId: string };
const key = (f: Finding) => `${f.rule} ${f.template} ${f.logicalId}`;

/** The bundled rules, without any acknowledgement: what synth would report if every acknowledgement were removed. */
function rawFindings(templatePaths: string[]): Finding[] {
  const result = new CfnGuardValidator({ maxBuffer: 64 * 1024 * 1024 }).validate({ templatePaths } as IPolicyValidationContextBeta1);
  return result.violations.flatMap((v) => v.violatingResources.map((r) => ({
    rule: v.ruleName, template: path.basename(r.templatePath), logicalId: r.resourceLogicalId,
  }))).sort((a, b) => key(a).localeCompare(key(b)));
}

/** The findings the synth report lists as acknowledged, with where they were acknowledged. */
function suppressedFindings(): Array<Finding & { acknowledgedAt: string; constructPath: string; reason: string }> {
  return (guardReport?.suppressedViolations ?? []).flatMap((v: any) => v.violatingConstructs.map((c: any) => ({
    rule: v.ruleName,
    template: path.basename(c.cloudFormationResource.templatePath),
    logicalId: c.cloudFormationResource.logicalId,
    constructPath: c.constructPath,
    acknowledgedAt: v.acknowledgedAt,
    reason: v.reason,
  })));
}

const REVIEWABLE_REASON = /^CT\.[A-Z0-9]+\.PR\.\d+: \S+( \S+){11,}/;

describe('Control Tower proactive controls (cfn-guard) over the app', () => {
  test('the guard plugin is attached to the app and ran with no unacknowledged finding', () => {
    expect(guardReport).toBeDefined();
    expect(guardReport.violations).toEqual([]);
    expect(guardReport.conclusion).toBe('success');
  });

  test('runs every bundled Control Tower rule: none is disabled app-wide', () => {
    const bundled = fs.readdirSync(RULES_DIR, { recursive: true }).filter((f) => String(f).endsWith('.guard'));
    expect(new ControlTowerGuard().ruleIds).toHaveLength(bundled.length);
  });

  test('checks the product templates, which CDK alone gives the plugin no access to', () => {
    const checked = new Set(suppressedFindings().map((f) => f.template));
    for (const file of [portfolioTemplateFile(), ...PRODUCT_KINDS.map((kind) => productTemplateFile(kind))]) {
      expect(checked).toContain(file);
    }
  });

  test('reports exactly what the bundled rules find in every synthesized template, each acknowledged', () => {
    const raw = rawFindings(templateFiles().map((f) => path.join(SYNTH_DIR, f)));
    expect(raw.length).toBeGreaterThan(0);
    expect(suppressedFindings().map(({ rule, template, logicalId }) => ({ rule, template, logicalId }))
      .sort((a, b) => key(a).localeCompare(key(b)))).toEqual(raw);
  });

  describe('product/guard-acknowledgements.ts', () => {
    const { stack } = createProductApp({
      configFile: TEST_CONFIG_FILE,
      ...TEST_ENV,
      snapshotDirectory: path.join(SYNTH_DIR, '..', 'product-stack-snapshots'),
    });
    const acks = guardAcknowledgements(stack);

    test('every acknowledgement names its control and carries a reason a reviewer can check', () => {
      expect(acks.length).toBeGreaterThan(0);
      for (const { rule, reason } of acks) {
        expect({ rule, reason: `${CONTROLS[rule]}: ${reason}` }).toEqual({ rule, reason: expect.stringMatching(REVIEWABLE_REASON) });
      }
      for (const finding of suppressedFindings()) {
        expect({ finding: key(finding), reason: finding.reason })
          .toEqual({ finding: key(finding), reason: expect.stringMatching(REVIEWABLE_REASON) });
      }
    });

    test('every acknowledgement is still needed: removing it makes synth report its rule', () => {
      const used = new Set(suppressedFindings().map((f) => `${f.rule} ${f.acknowledgedAt}`));
      const stale = acks.map((a) => `${a.rule} ${a.construct.node.path}`).filter((a) => !used.has(a));
      expect(stale).toEqual([]);
      // An acknowledgement inside another one of the same rule would hide the inner one's removal.
      const nested = acks.filter((a) => acks.some((b) => b !== a && b.rule === a.rule
        && (a.construct.node.path === b.construct.node.path || a.construct.node.path.startsWith(`${b.construct.node.path}/`))));
      expect(nested.map((a) => `${a.rule} ${a.construct.node.path}`)).toEqual([]);
    });
  });
});

describe('Control Tower proactive controls over the seed repos\' deploy templates', () => {
  test.each(Object.keys(SEED_GUARD_ACKNOWLEDGEMENTS))('seed-repos/%s raises exactly the acknowledged findings', (file) => {
    const template = path.join(SEED_DIR, file);
    if (!fs.existsSync(template)) throw new Error(`${template} is missing: run \`npx projen seed:model-deploy:synth\` (part of \`npx projen test\`)`);
    const acknowledged = SEED_GUARD_ACKNOWLEDGEMENTS[file]
      .flatMap((a) => a.logicalIds.map((logicalId) => ({ rule: a.rule, template: path.basename(file), logicalId })))
      .sort((a, b) => key(a).localeCompare(key(b)));
    expect(rawFindings([template])).toEqual(acknowledged);
  });

  test('every seed acknowledgement names its control and carries a reason a reviewer can check', () => {
    for (const acks of Object.values(SEED_GUARD_ACKNOWLEDGEMENTS)) {
      for (const { rule, reason } of acks) {
        expect({ rule, reason: `${CONTROLS[rule]}: ${reason}` }).toEqual({ rule, reason: expect.stringMatching(REVIEWABLE_REASON) });
      }
    }
  });
});
