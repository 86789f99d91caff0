import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { DEFAULT_PORTFOLIO_CONFIG_FILE, loadPortfolioConfig } from './portfolio-config';
import { PortfolioStack } from './portfolio-stack';

export const PORTFOLIO_STACK_NAME = 'SageMakerServerlessInferencePortfolio';
/** Used when no AWS account is known (offline synth): a deploy always knows its account. */
export const OFFLINE_ASSET_BUCKET_NAME = 'sagemaker-sc-assets-offline-synth';

export interface ProductAppOptions {
  readonly configFile?: string;
  readonly appProps?: AppProps;
  readonly account?: string;
  readonly region?: string;
  /** @default PRODUCT_SNAPSHOT_DIRECTORY */
  readonly snapshotDirectory?: string;
}

/** The whole CDK app: portfolio stack, product, and the cdk-nag gate. */
export function createProductApp(options: ProductAppOptions = {}): { app: App; stack: PortfolioStack } {
  const config = loadPortfolioConfig(options.configFile ?? DEFAULT_PORTFOLIO_CONFIG_FILE);
  const app = new App(options.appProps);
  const { account, region } = options;
  const assetBucketName = config.assetBucketName
    ?? (account && region ? `sagemaker-sc-assets-${account}-${region}` : OFFLINE_ASSET_BUCKET_NAME);

  const stack = new PortfolioStack(app, PORTFOLIO_STACK_NAME, {
    config,
    assetBucketName,
    snapshotDirectory: options.snapshotDirectory,
    env: account && region ? { account, region } : undefined,
    description: 'Service Catalog portfolio publishing the SageMaker serverless-inference project template',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  acknowledgeNagFindings(stack);
  return { app, stack };
}
