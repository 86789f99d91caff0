import { Annotations, Aws, Stack, StackProps, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import { LaunchRole } from './launch-role';
import { PortfolioConfig, ProductSettings, reachesExecutionRoles } from './portfolio-config';
import { PortfolioNames } from './portfolio-names';
import { ModelDeployment, SageMakerProjectStack } from './project-stack';
import { RETAINED_PRIVATE_BUCKET } from './retained-bucket';
import { STUDIO_VISIBILITY_TAG } from './sagemaker-project';

/** Where ProductStackHistory keeps the template of every published version (commit this folder). */
export const PRODUCT_SNAPSHOT_DIRECTORY = 'product-stack-snapshots';

export interface PortfolioStackProps extends StackProps {
  readonly config: PortfolioConfig;
  /**
   * Literal name of the product asset bucket: ProductStack assets need a name without tokens.
   */
  readonly assetBucketName: string;
  /** Account-wide names of the launch role and boundary (see portfolio-names.ts). */
  readonly names: PortfolioNames;
  /**
   * Folder holding the template of every published product version.
   * @default PRODUCT_SNAPSHOT_DIRECTORY
   */
  readonly snapshotDirectory?: string;
}

/**
 * The platform team's side: the Service Catalog portfolio, the project template as a versioned
 * product visible in SageMaker Studio, who may launch it, and the role it launches with.
 */
export class PortfolioStack extends Stack {
  readonly portfolio: servicecatalog.Portfolio;
  readonly product: servicecatalog.CloudFormationProduct;
  readonly projectStack: SageMakerProjectStack;
  /** The SageMaker endpoint product, when the configuration publishes it. */
  readonly endpointProduct?: servicecatalog.CloudFormationProduct;
  readonly endpointProjectStack?: SageMakerProjectStack;
  readonly launchRole: LaunchRole;
  readonly assetBucket: s3.Bucket;
  /** Literal name of {@link assetBucket}, known at synth time. */
  readonly assetBucketName: string;

  constructor(scope: Construct, id: string, props: PortfolioStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.assetBucketName = props.assetBucketName;

    this.assetBucket = new s3.Bucket(this, 'ProductAssetBucket', {
      ...RETAINED_PRIVATE_BUCKET,
      bucketName: props.assetBucketName,
    });
    // Every new project's repositories are seeded from the archives in this bucket: publishing its object
    // events to EventBridge lets the platform account alert on a write that did not come from `cdk deploy`
    // (Control Tower CT.S3.PR.4). Set on the L1: the L2's `eventBridgeEnabled` adds a custom-resource Lambda.
    (this.assetBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    this.launchRole = new LaunchRole(this, 'LaunchRole', {
      assetBucketName: props.assetBucketName,
      names: props.names,
      codeConnections: [config.product, config.endpointProduct].some((p) => p?.source.provider === 'codeconnections'),
      codeCommit: [config.product, config.endpointProduct].some((p) => p?.source.provider === 'codecommit'),
    });

    this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', {
      displayName: config.portfolio.displayName,
      providerName: config.portfolio.providerName,
      description: config.portfolio.description || undefined,
    });

    const lambda = this.publishProduct('', config.product, ModelDeployment.LAMBDA_SERVICE, props);
    this.product = lambda.product;
    this.projectStack = lambda.projectStack;
    if (config.endpointProduct) {
      const endpoint = this.publishProduct('Endpoint', config.endpointProduct, ModelDeployment.SAGEMAKER_ENDPOINT, props);
      this.endpointProduct = endpoint.product;
      this.endpointProjectStack = endpoint.projectStack;
    }

    config.access.executionRoleArns.forEach((arn, index) => {
      this.portfolio.giveAccessToRole(iam.Role.fromRoleArn(this, `ExecutionRole${index}`, arn, { mutable: false }));
    });
    if (!reachesExecutionRoles(config.access)) {
      Annotations.of(this).addWarningV2('sagemaker-projects:no-execution-role-principal',
        'access lists no SageMaker execution role: Studio calls Service Catalog as the user\'s execution role, so Studio users '
        + 'will not see the template. Add their execution role ARNs to access.executionRoleArns or a pattern such as '
        + 'service-role/AmazonSageMaker-ExecutionRole-* to access.rolePatterns.');
    }
    config.access.rolePatterns.forEach((pattern, index) => {
      // IAM_PATTERN associations match role names (with wildcards), account-less by design.
      new servicecatalog.CfnPortfolioPrincipalAssociation(this, `RolePattern${index}`, {
        portfolioId: this.portfolio.portfolioId,
        principalArn: `arn:${Aws.PARTITION}:iam:::role/${pattern}`,
        principalType: 'IAM_PATTERN',
      });
    });

    for (const [key, value] of Object.entries(config.tags)) {
      Tags.of(this).add(key, value);
    }
  }

  /** One product: its template (a ProductStack), its versions, the Studio tag, and the launch constraint. */
  private publishProduct(idPrefix: string, settings: ProductSettings, deployment: ModelDeployment, props: PortfolioStackProps) {
    const projectStack = new SageMakerProjectStack(this, `SageMaker${idPrefix}Project`, {
      assetBucket: this.assetBucket,
      permissionsBoundaryName: props.names.permissionsBoundary,
      extraTags: props.config.tags,
      deployment,
      settings: props.config.project,
      source: settings.source,
    });
    const history = new servicecatalog.ProductStackHistory(this, `${idPrefix}ProductHistory`, {
      productStack: projectStack,
      currentVersionName: settings.versionLabel,
      currentVersionLocked: settings.lockVersionLabel,
      directory: props.snapshotDirectory ?? PRODUCT_SNAPSHOT_DIRECTORY,
    });
    const product = new servicecatalog.CloudFormationProduct(this, `${idPrefix}Product`, {
      productName: settings.name,
      owner: settings.owner,
      description: settings.description || undefined,
      productVersions: [
        history.currentVersion(),
        ...settings.previousVersionLabels.map((label) => history.versionFromSnapshot(label)),
      ],
    });
    // Studio lists only products carrying this tag.
    Tags.of(product).add(STUDIO_VISIBILITY_TAG, 'true');

    this.portfolio.addProduct(product);
    this.portfolio.setLocalLaunchRole(product, this.launchRole.role, {
      description: 'Launch with the template\'s own least-privilege role',
    });
    return { product, projectStack };
  }
}
