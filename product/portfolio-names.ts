import { Aws } from 'aws-cdk-lib';

/** Stands for the region in an offline synth without CDK_DEFAULT_REGION; a deploy always synthesizes for its region. */
export const OFFLINE_REGION = 'offline';

/**
 * The account-wide physical names of one published portfolio. IAM names are global to an account,
 * so each carries the region and the configuration's `portfolio.nameQualifier`: the portfolio can
 * be deployed in several regions of one account, and several configurations in one region.
 * The product templates rebuild the boundary ARN from the same name (they cannot reference the
 * portfolio stack). The region is a literal: Service Catalog's local launch role name (which lets
 * a shared portfolio launch in other accounts) must be one.
 */
export interface PortfolioNames {
  readonly launchRole: string;
  readonly permissionsBoundary: string;
  /** Managed policy the SageMaker execution roles need to launch S3 templates (publishing target s3Templates). */
  readonly s3TemplatesUserPolicy: string;
  /** The CloudFormation stack of the portfolio. */
  readonly stack: string;
}

/** Stack name of the default configuration (qualifier `main`); others append `-<qualifier>`. */
export const PORTFOLIO_STACK_BASE_NAME = 'SageMakerServerlessInferencePortfolio';

export function portfolioNames(qualifier: string, region: string): PortfolioNames {
  const prefix = `sagemaker-si-${qualifier}-${region}`;
  return {
    launchRole: `${prefix}-launch`,
    permissionsBoundary: `${prefix}-boundary`,
    s3TemplatesUserPolicy: `${prefix}-s3-templates-user`,
    stack: qualifier === 'main' ? PORTFOLIO_STACK_BASE_NAME : `${PORTFOLIO_STACK_BASE_NAME}-${qualifier}`,
  };
}

/** Default asset bucket: one per account, region and qualifier (63 characters at most: 12-digit account, longest region). */
export function defaultAssetBucketName(qualifier: string, account: string, region: string): string {
  return `sagemaker-si-${qualifier}-assets-${account}-${region}`;
}

/** ARN of a managed policy of this account, valid inside any stack of it. */
export function accountPolicyArn(name: string): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:policy/${name}`;
}
