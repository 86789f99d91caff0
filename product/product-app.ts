import { App, AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ControlTowerGuard } from './control-tower-guard';
import { acknowledgeGuardFindings } from './guard-acknowledgements';
import { acknowledgeNagFindings } from './nag-acknowledgements';
import { DEFAULT_PORTFOLIO_CONFIG_FILE, loadPortfolioConfig } from './portfolio-config';
import { defaultAssetBucketName, OFFLINE_REGION, portfolioNames } from './portfolio-names';
import { PortfolioStack } from './portfolio-stack';

/** Used when no AWS account is known (offline synth): a deploy always knows its account. */
export const OFFLINE_ASSET_BUCKET_NAME = 'sagemaker-si-assets-offline-synth';

export interface ProductAppOptions {
  readonly configFile?: string;
  readonly appProps?: AppProps;
  readonly account?: string;
  readonly region?: string;
  /** @default PRODUCT_SNAPSHOT_DIRECTORY */
  readonly snapshotDirectory?: string;
}

/** The whole CDK app: portfolio stack, product, and the cdk-nag and Control Tower (cfn-guard) gates. */
export function createProductApp(options: ProductAppOptions = {}): { app: App; stack: PortfolioStack } {
  const config = loadPortfolioConfig(options.configFile ?? DEFAULT_PORTFOLIO_CONFIG_FILE);
  const app = new App(options.appProps);
  const { account, region } = options;
  const qualifier = config.portfolio.nameQualifier;
  const assetBucketName = config.assetBucketName
    ?? (account && region ? defaultAssetBucketName(qualifier, account, region) : OFFLINE_ASSET_BUCKET_NAME);
  const names = portfolioNames(qualifier, region ?? OFFLINE_REGION);

  const stack = new PortfolioStack(app, names.stack, {
    config,
    assetBucketName,
    names,
    snapshotDirectory: options.snapshotDirectory,
    env: account && region ? { account, region } : undefined,
    description: 'Service Catalog portfolio publishing the SageMaker serverless-inference project template',
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ControlTowerGuard());
  acknowledgeNagFindings(stack);
  acknowledgeGuardFindings(stack);
  return { app, stack };
}
