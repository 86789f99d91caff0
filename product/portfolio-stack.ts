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
import { S3TemplatePublication, templateObjectsArn } from './s3-template-publication';
import { STUDIO_VISIBILITY_TAG } from './sagemaker-project';

/** Object names of the S3 templates under publishing.s3Templates.keyPrefix (without `.yaml`). */
export const S3_TEMPLATE_NAMES: Record<ModelDeployment, string> = {
  [ModelDeployment.LAMBDA_SERVICE]: 'serverless-inference-lambda',
  [ModelDeployment.SAGEMAKER_ENDPOINT]: 'sagemaker-endpoint',
};

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
  /** The Service Catalog portfolio, when publishing.targets includes serviceCatalog. */
  readonly portfolio?: servicecatalog.Portfolio;
  /** The Lambda product in the portfolio, when publishing.targets includes serviceCatalog. */
  readonly product?: servicecatalog.CloudFormationProduct;
  readonly projectStack: SageMakerProjectStack;
  /** The SageMaker endpoint product, when the configuration publishes it to Service Catalog. */
  readonly endpointProduct?: servicecatalog.CloudFormationProduct;
  readonly endpointProjectStack?: SageMakerProjectStack;
  /** The products as Studio S3 templates, when publishing.targets includes s3Templates. */
  readonly s3Templates?: S3TemplatePublication;
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

    const targets = new Set(config.publishing.targets);
    const publishToS3 = targets.has('s3Templates');
    const { keyPrefix } = config.publishing.s3Templates;
    this.launchRole = new LaunchRole(this, 'LaunchRole', {
      assetBucketName: props.assetBucketName,
      names: props.names,
      serviceCatalog: targets.has('serviceCatalog'),
      codeConnections: [config.product, config.endpointProduct].some((p) => p?.source.provider === 'codeconnections'),
      codeCommit: [config.product, config.endpointProduct].some((p) => p?.source.provider === 'codecommit'),
      s3Templates: publishToS3 ? {
        executionRoleArns: config.access.executionRoleArns,
        rolePatterns: config.access.rolePatterns,
        templateObjectsArn: templateObjectsArn(props.assetBucketName, keyPrefix),
      } : undefined,
    });

    if (targets.has('serviceCatalog')) {
      this.portfolio = new servicecatalog.Portfolio(this, 'Portfolio', {
        displayName: config.portfolio.displayName,
        providerName: config.portfolio.providerName,
        description: config.portfolio.description || undefined,
      });
    }

    const lambda = this.publishProduct('', config.product, ModelDeployment.LAMBDA_SERVICE, props);
    this.product = lambda.product;
    this.projectStack = lambda.projectStack;
    if (config.endpointProduct) {
      const endpoint = this.publishProduct('Endpoint', config.endpointProduct, ModelDeployment.SAGEMAKER_ENDPOINT, props);
      this.endpointProduct = endpoint.product;
      this.endpointProjectStack = endpoint.projectStack;
    }

    const executionRoles = config.access.executionRoleArns.map((arn, index) =>
      iam.Role.fromRoleArn(this, `ExecutionRole${index}`, arn, { mutable: false }));
    if (this.portfolio) this.giveAccess(this.portfolio, executionRoles, config);

    if (publishToS3) {
      // Created after the product stacks: it turns their synthesized templates into YAML (see s3-template-publication.ts).
      this.s3Templates = new S3TemplatePublication(this, 'S3Templates', {
        bucket: this.assetBucket,
        bucketName: props.assetBucketName,
        keyPrefix,
        templates: [
          { productStack: this.projectStack, name: S3_TEMPLATE_NAMES[ModelDeployment.LAMBDA_SERVICE], versionLabel: config.product.versionLabel },
          ...(this.endpointProjectStack && config.endpointProduct ? [{
            productStack: this.endpointProjectStack,
            name: S3_TEMPLATE_NAMES[ModelDeployment.SAGEMAKER_ENDPOINT],
            versionLabel: config.endpointProduct.versionLabel,
          }] : []),
        ],
        executionRoles,
        rolePatterns: config.access.rolePatterns,
        launchRole: this.launchRole.role,
        userPolicyName: props.names.s3TemplatesUserPolicy,
      });
    }

    for (const [key, value] of Object.entries(config.tags)) {
      Tags.of(this).add(key, value);
    }
  }

  /** Who sees the portfolio: execution roles by ARN, and roles by IAM name pattern. */
  private giveAccess(portfolio: servicecatalog.Portfolio, executionRoles: iam.IRole[], config: PortfolioConfig): void {
    executionRoles.forEach((role) => portfolio.giveAccessToRole(role));
    if (!reachesExecutionRoles(config.access)) {
      Annotations.of(this).addWarningV2('sagemaker-projects:no-execution-role-principal',
        'access lists no SageMaker execution role: Studio calls Service Catalog as the user\'s execution role, so Studio users '
        + 'will not see the template. Add their execution role ARNs to access.executionRoleArns or a pattern such as '
        + 'service-role/AmazonSageMaker-ExecutionRole-* to access.rolePatterns.');
    }
    config.access.rolePatterns.forEach((pattern, index) => {
      // IAM_PATTERN associations match role names (with wildcards), account-less by design.
      new servicecatalog.CfnPortfolioPrincipalAssociation(this, `RolePattern${index}`, {
        portfolioId: portfolio.portfolioId,
        principalArn: `arn:${Aws.PARTITION}:iam:::role/${pattern}`,
        principalType: 'IAM_PATTERN',
      });
    });
  }

  /**
   * One product: its template (a ProductStack) and, for Service Catalog, its versions, the Studio tag and the launch
   * constraint. The same template is what the S3 templates publish.
   */
  private publishProduct(idPrefix: string, settings: ProductSettings, deployment: ModelDeployment, props: PortfolioStackProps) {
    const projectStack = new SageMakerProjectStack(this, `SageMaker${idPrefix}Project`, {
      assetBucket: this.assetBucket,
      permissionsBoundaryName: props.names.permissionsBoundary,
      extraTags: props.config.tags,
      deployment,
      settings: props.config.project,
      source: settings.source,
    });
    const portfolio = this.portfolio;
    if (!portfolio) return { product: undefined, projectStack };
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

    portfolio.addProduct(product);
    portfolio.setLocalLaunchRole(product, this.launchRole.role, {
      description: 'Launch with the template\'s own least-privilege role',
    });
    return { product, projectStack };
  }
}
