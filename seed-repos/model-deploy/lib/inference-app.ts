import { App, BootstraplessSynthesizer, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { InferenceServiceStack } from './inference-service-stack';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { STACK_ID } from './template-contract';

/** Options of {@link buildInferenceApp}. */
export interface InferenceAppOptions {
  /**
   * Where the cloud assembly is written.
   * @default 'cdk.out'
   */
  readonly outdir?: string;
}

/**
 * The CDK app the pipeline synthesizes: one {@link InferenceServiceStack} that takes its
 * execution role from the `LambdaExecutionRoleArn` parameter, checked by cdk-nag's
 * AwsSolutions pack.
 *
 * The stack uses the bootstrapless synthesizer: a CodePipeline CloudFormation action deploys
 * the template as-is, so there is no bootstrap stack, no `BootstrapVersion` parameter or rule,
 * and any attempt to add an asset fails at synth time (the image comes from ECR instead).
 */
export function buildInferenceApp(options: InferenceAppOptions = {}): { app: App; stack: InferenceServiceStack } {
  const app = new App({ outdir: options.outdir ?? 'cdk.out' });
  const stack = new InferenceServiceStack(app, STACK_ID, {
    description: 'Serverless inference service of a SageMaker project (HTTP API + Lambda container image).',
    synthesizer: new BootstraplessSynthesizer(),
  });
  acknowledgeNagFindings(stack);
  // A validation plugin: synth fails on any unacknowledged finding.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
