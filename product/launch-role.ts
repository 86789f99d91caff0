import { Arn, ArnFormat, Aws } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { PortfolioNames } from './portfolio-names';
import { PROJECT_ID_TAG, S3_TEMPLATE_STACK_PREFIX } from './sagemaker-project';
import { LOG_GROUP_HANDLER_ACTIONS } from '../pipelines/log-group-actions';
import { SAGEMAKER_AUTOSCALING_ROLE, SAGEMAKER_AUTOSCALING_SERVICE } from '../pipelines/sagemaker-endpoint-target';
import { CONNECTION_SERVICES, USE_CONNECTION_ACTIONS } from '../pipelines/seed-checkin';

/** Every role a launch creates is named `sagemaker-<project id>-...` (see sagemaker-project.ts). */
const PROJECT_ROLE_NAMES = 'sagemaker-p-*';
/** Model package groups are `<name>-<id>`: the id suffix is the only literal part. */
const MODEL_PACKAGE_GROUP_NAMES = '*-p-????????????';

/** The services project roles may hand roles to; anything else is refused by PassRole. */
const PASS_ROLE_SERVICES = [
  'codebuild.amazonaws.com',
  'codepipeline.amazonaws.com',
  'cloudformation.amazonaws.com',
  'events.amazonaws.com',
  'sagemaker.amazonaws.com',
  'lambda.amazonaws.com',
  // The Lambda deploy stacks' deployment groups run as a project role (CodeDeploy shifts the live alias).
  'codedeploy.amazonaws.com',
];

/**
 * The ceiling for every IAM role a project creates. Identity policies grant the actual,
 * scoped permissions; the boundary guarantees that no project role can ever exceed the
 * services the template is about, touch IAM beyond passing its own roles, or drop the boundary.
 */
export class ProjectPermissionsBoundary extends Construct {
  readonly policy: iam.ManagedPolicy;

  /** `codeConnections`: some product's repositories are reached through a connection (the boundary then allows using one). */
  constructor(scope: Construct, id: string, managedPolicyName: string, codeConnections = false) {
    super(scope, id);
    this.policy = new iam.ManagedPolicy(this, 'Resource', {
      managedPolicyName,
      description: 'Permissions boundary for roles created by the SageMaker serverless-inference project template',
      statements: [
        new iam.PolicyStatement({
          sid: 'ProjectServices',
          actions: [
            's3:*', 'sagemaker:*', 'codecommit:*', 'codebuild:*', 'codepipeline:*', 'cloudformation:*',
            'logs:*', 'ecr:*', 'lambda:*', 'apigateway:*', 'execute-api:Invoke', 'cloudwatch:*', 'events:*', 'application-autoscaling:*', 'codedeploy:*',
            'kms:Decrypt', 'kms:GenerateDataKey', 'sts:GetCallerIdentity', 'iam:GetRole',
          ],
          resources: ['*'],
        }),
        new iam.PolicyStatement({
          sid: 'PassOnlyProjectRoles',
          actions: ['iam:PassRole'],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${PROJECT_ROLE_NAMES}`],
          conditions: { StringEquals: { 'iam:PassedToService': PASS_ROLE_SERVICES } },
        }),
        new iam.PolicyStatement({
          sid: 'CreateTheSageMakerAutoScalingRole',
          // Application Auto Scaling creates its service-linked role as the caller of the first RegisterScalableTarget.
          actions: ['iam:CreateServiceLinkedRole'],
          resources: [`arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${SAGEMAKER_AUTOSCALING_ROLE}`],
          conditions: { StringEquals: { 'iam:AWSServiceName': SAGEMAKER_AUTOSCALING_SERVICE } },
        }),
        new iam.PolicyStatement({
          sid: 'NeverLeaveTheBoundary',
          effect: iam.Effect.DENY,
          actions: ['iam:DeleteRolePermissionsBoundary', 'iam:PutRolePermissionsBoundary', 'iam:CreateUser', 'iam:CreateAccessKey'],
          resources: ['*'],
        }),
        ...(codeConnections ? [new iam.PolicyStatement({
          sid: 'UseConnections',
          // Each role's own policy names the project's connection and repositories.
          actions: USE_CONNECTION_ACTIONS,
          resources: CONNECTION_SERVICES.map((service) => `arn:${Aws.PARTITION}:${service}:*:${Aws.ACCOUNT_ID}:connection/*`),
        })] : []),
      ],
    });
  }
}

/** Who launches S3 templates with this role, and where the templates are. */
export interface LaunchRoleS3TemplatesProps {
  /** SageMaker execution roles that may launch (trusted by ARN). */
  readonly executionRoleArns: readonly string[];
  /** Role path-and-name patterns that may launch (trusted through aws:PrincipalArn). */
  readonly rolePatterns: readonly string[];
  /** ARN pattern of the template objects (`arn:...:s3:::<bucket>/<prefix>*`). */
  readonly templateObjectsArn: string;
}


export interface LaunchRoleProps {
  /** Bucket holding the product's file assets (the seed repos), read when CodeCommit repos are created. */
  readonly assetBucketName: string;
  /** Physical names of the launch role and the boundary (see portfolio-names.ts). */
  readonly names: PortfolioNames;
  /**
   * Launched by Service Catalog (stacks SC-*).
   * @default true
   */
  readonly serviceCatalog?: boolean;
  /**
   * Launched from S3 templates (stacks SP-*, CloudFormation using this role as its service role).
   * @default - not launched from S3 templates
   */
  readonly s3Templates?: LaunchRoleS3TemplatesProps;
  /**
   * Some product reaches its repositories through a CodeConnections connection: the launch role may then pass a
   * connection to CodePipeline and create the seed check-in function.
   * @default false
   */
  readonly codeConnections?: boolean;
  /**
   * Some product creates CodeCommit repositories: the launch role may then manage `sagemaker-*` repositories.
   * @default true
   */
  readonly codeCommit?: boolean;
}

/** An ARN in this account and region (or as `opts` says), with pseudo-parameters even when the stack's env is concrete:
 * one template (and one set of nag findings) for every account. */
function arn(service: string, resource: string, resourceName?: string, opts: { region?: string; account?: string; sep?: ArnFormat } = {}): string {
  return Arn.format({
    service,
    resource,
    resourceName,
    partition: Aws.PARTITION,
    region: opts.region ?? Aws.REGION,
    account: opts.account ?? Aws.ACCOUNT_ID,
    arnFormat: opts.sep,
  });
}

/**
 * The identity Service Catalog (and so CloudFormation) uses when Studio provisions the product.
 * It may manage only the resource types the product template contains, only on `sagemaker-*`
 * names (or the project's model package group), and may create IAM roles only under the
 * project permissions boundary. `test/launch-role-coverage.test.ts` proves it covers the template.
 */
export class LaunchRole extends Construct {
  readonly role: iam.Role;
  readonly boundary: ProjectPermissionsBoundary;

  constructor(scope: Construct, id: string, props: LaunchRoleProps) {
    super(scope, id);
    const serviceCatalog = props.serviceCatalog ?? true;
    const s3Templates = props.s3Templates;
    if (!serviceCatalog && !s3Templates) throw new Error('LaunchRole: launched neither by Service Catalog nor from S3 templates');
    // No aws:SourceAccount condition: Service Catalog is not documented to send it when it assumes a
    // launch role (AWS's own launch roles trust the bare principal), and an absent key fails every launch.
    // Only principals allowed iam:PassRole on this role can name it in a launch constraint.
    const servicePrincipals = [
      ...(serviceCatalog ? [new iam.ServicePrincipal('servicecatalog.amazonaws.com')] : []),
      // S3 templates: CreateProject's CfnTemplateProvider.RoleARN is "the IAM role that CloudFormation assumes when creating
      // the stack" (SageMaker API reference, CfnCreateTemplateProvider); the sample's AmazonSageMakerProjectsLaunchRole
      // trusts cloudformation.amazonaws.com and the execution role (s3_templates/sample-templates/iam/sagemaker-projects-roles-and-policies.yaml).
      ...(s3Templates ? [new iam.ServicePrincipal('cloudformation.amazonaws.com')] : []),
    ];

    this.boundary = new ProjectPermissionsBoundary(this, 'PermissionsBoundary', props.names.permissionsBoundary, props.codeConnections);
    this.role = new iam.Role(this, 'Resource', {
      roleName: props.names.launchRole,
      description: serviceCatalog
        ? 'Service Catalog launch role of the SageMaker serverless-inference project template'
        : 'Launch role of the SageMaker serverless-inference project template (S3 templates)',
      assumedBy: new iam.CompositePrincipal(...servicePrincipals),
    });
    if (s3Templates) this.trustExecutionRoles(s3Templates);
    const boundaryCondition = { StringEquals: { 'iam:PermissionsBoundary': this.boundary.policy.managedPolicyArn } };
    const projectRoles = arn('iam', 'role', PROJECT_ROLE_NAMES, { region: '' });

    const statements: iam.PolicyStatement[] = [
      // Service Catalog provisions through CloudFormation stacks named SC-<account>-pp-<id>; S3 templates through SP-*.
      new iam.PolicyStatement({
        sid: 'ProvisionedProductStacks',
        actions: [
          'cloudformation:CreateStack', 'cloudformation:UpdateStack', 'cloudformation:DeleteStack',
          'cloudformation:DescribeStacks', 'cloudformation:DescribeStackEvents', 'cloudformation:DescribeStackResource',
          'cloudformation:DescribeStackResources', 'cloudformation:GetTemplate', 'cloudformation:SetStackPolicy',
          'cloudformation:CreateChangeSet', 'cloudformation:DescribeChangeSet', 'cloudformation:ExecuteChangeSet',
          'cloudformation:DeleteChangeSet', 'cloudformation:ListChangeSets', 'cloudformation:TagResource',
          'cloudformation:UntagResource', 'cloudformation:ContinueUpdateRollback',
        ],
        resources: [
          ...(serviceCatalog ? [arn('cloudformation', 'stack', 'SC-*', { sep: ArnFormat.SLASH_RESOURCE_NAME })] : []),
          ...(s3Templates ? [arn('cloudformation', 'stack', `${S3_TEMPLATE_STACK_PREFIX}*`, { sep: ArnFormat.SLASH_RESOURCE_NAME })] : []),
          arn('cloudformation', 'changeSet', '*', { sep: ArnFormat.SLASH_RESOURCE_NAME }),
        ],
      }),
      // Template inspection actions do not support resource-level permissions.
      new iam.PolicyStatement({
        sid: 'TemplateInspection',
        actions: ['cloudformation:ValidateTemplate', 'cloudformation:GetTemplateSummary'],
        resources: ['*'],
      }),
      // Service Catalog keeps product templates in its own buckets and tags them for provisioning.
      ...(serviceCatalog ? [new iam.PolicyStatement({
        sid: 'ReadProductTemplates',
        actions: ['s3:GetObject'],
        resources: ['*'],
        conditions: { StringEquals: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' } },
      })] : []),
      // S3 templates: the template objects, for a CreateStack made with this role's credentials.
      ...(s3Templates ? [new iam.PolicyStatement({
        sid: 'ReadS3Templates',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [s3Templates.templateObjectsArn],
      })] : []),
      new iam.PolicyStatement({
        sid: 'ReadSeedRepoAssets',
        actions: ['s3:GetObject', 's3:GetObjectVersion'],
        resources: [`arn:${Aws.PARTITION}:s3:::${props.assetBucketName}/*`],
      }),
      new iam.PolicyStatement({
        sid: 'ProjectArtifactBucket',
        // Every IAM action the S3 resource provider may call on create/read/update/delete (its schema's handlers),
        // except replication and metadata tables, which the template never configures. Some handler entries are
        // API names (DeleteBucketEncryption, ...) that IAM authorizes through the matching Put* action.
        actions: [
          's3:CreateBucket', 's3:DeleteBucket', 's3:ListBucket', 's3:GetBucketLocation', 's3:DeleteObject', 's3:PutObjectAcl',
          's3:GetBucketPolicy', 's3:PutBucketPolicy', 's3:DeleteBucketPolicy',
          's3:GetEncryptionConfiguration', 's3:PutEncryptionConfiguration',
          's3:GetBucketVersioning', 's3:PutBucketVersioning',
          's3:GetLifecycleConfiguration', 's3:PutLifecycleConfiguration',
          's3:GetBucketPublicAccessBlock', 's3:PutBucketPublicAccessBlock',
          's3:GetBucketTagging', 's3:PutBucketTagging',
          's3:TagResource', 's3:UntagResource', 's3:ListTagsForResource',
          's3:GetBucketOwnershipControls', 's3:PutBucketOwnershipControls', 's3:GetBucketAcl', 's3:PutBucketAcl',
          's3:GetBucketLogging', 's3:PutBucketLogging', 's3:GetBucketCORS', 's3:PutBucketCORS',
          's3:GetBucketWebsite', 's3:PutBucketWebsite', 's3:DeleteBucketWebsite',
          's3:GetBucketObjectLockConfiguration', 's3:PutBucketObjectLockConfiguration',
          's3:GetAccelerateConfiguration', 's3:PutAccelerateConfiguration',
          's3:GetBucketNotification', 's3:PutBucketNotification', 's3:GetReplicationConfiguration',
          's3:GetAnalyticsConfiguration', 's3:PutAnalyticsConfiguration',
          's3:GetMetricsConfiguration', 's3:PutMetricsConfiguration',
          's3:GetIntelligentTieringConfiguration', 's3:PutIntelligentTieringConfiguration',
          's3:GetInventoryConfiguration', 's3:PutInventoryConfiguration', 's3:GetBucketAbac', 's3:PutBucketAbac',
        ],
        resources: ['arn:*:s3:::sagemaker-project-p-*', 'arn:*:s3:::sagemaker-project-p-*/*'],
      }),
      new iam.PolicyStatement({
        sid: 'CreateRolesOnlyUnderTheBoundary',
        actions: ['iam:CreateRole', 'iam:PutRolePermissionsBoundary', 'iam:AttachRolePolicy', 'iam:DetachRolePolicy', 'iam:PutRolePolicy'],
        resources: [projectRoles],
        conditions: boundaryCondition,
      }),
      new iam.PolicyStatement({
        sid: 'ManageProjectRoles',
        actions: [
          'iam:GetRole', 'iam:DeleteRole', 'iam:UpdateRole', 'iam:UpdateRoleDescription', 'iam:UpdateAssumeRolePolicy',
          'iam:TagRole', 'iam:UntagRole', 'iam:ListRoleTags', 'iam:GetRolePolicy', 'iam:DeleteRolePolicy',
          'iam:ListRolePolicies', 'iam:ListAttachedRolePolicies',
        ],
        resources: [projectRoles],
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyProjectRoles',
        actions: ['iam:PassRole'],
        resources: [projectRoles],
        conditions: { StringEquals: { 'iam:PassedToService': PASS_ROLE_SERVICES } },
      }),
      new iam.PolicyStatement({
        sid: 'ProjectModelPackageGroup',
        actions: [
          'sagemaker:CreateModelPackageGroup', 'sagemaker:DeleteModelPackageGroup', 'sagemaker:DescribeModelPackageGroup',
          'sagemaker:PutModelPackageGroupPolicy', 'sagemaker:GetModelPackageGroupPolicy', 'sagemaker:DeleteModelPackageGroupPolicy',
          'sagemaker:AddTags', 'sagemaker:DeleteTags', 'sagemaker:ListTags',
        ],
        resources: [arn('sagemaker', 'model-package-group', MODEL_PACKAGE_GROUP_NAMES, { sep: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
      ...(props.codeCommit ?? true ? codeCommitStatements() : []),
      new iam.PolicyStatement({
        sid: 'ProjectBuildProjects',
        actions: ['codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects'],
        resources: [arn('codebuild', 'project', 'sagemaker-*', { sep: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
      new iam.PolicyStatement({
        sid: 'ProjectPipelines',
        actions: [
          'codepipeline:CreatePipeline', 'codepipeline:UpdatePipeline', 'codepipeline:DeletePipeline', 'codepipeline:GetPipeline',
          'codepipeline:GetPipelineState', 'codepipeline:StartPipelineExecution', 'codepipeline:DisableStageTransition',
          'codepipeline:EnableStageTransition', 'codepipeline:TagResource', 'codepipeline:UntagResource', 'codepipeline:ListTagsForResource',
        ],
        resources: [arn('codepipeline', 'sagemaker-*', undefined)],
      }),
      new iam.PolicyStatement({
        sid: 'ProjectEventRules',
        actions: [
          'events:PutRule', 'events:DeleteRule', 'events:DescribeRule', 'events:EnableRule', 'events:DisableRule',
          'events:PutTargets', 'events:RemoveTargets', 'events:ListTargetsByRule', 'events:TagResource',
          'events:UntagResource', 'events:ListTagsForResource',
        ],
        resources: [arn('events', 'rule', 'sagemaker-p-*', { sep: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
      // The build log groups /aws/codebuild/sagemaker-<name>-<id>-*: the Logs provider's handler permissions.
      new iam.PolicyStatement({
        sid: 'ProjectBuildLogGroups',
        actions: LOG_GROUP_HANDLER_ACTIONS,
        resources: [arn('logs', 'log-group', '/aws/codebuild/sagemaker-*', { sep: ArnFormat.COLON_RESOURCE_NAME })],
      }),
      // Log group discovery, index and resource policies and log delivery have no resource-level permissions.
      new iam.PolicyStatement({
        sid: 'LogsWithoutResourceLevelPermissions',
        actions: [
          'logs:DescribeLogGroups', 'logs:DescribeIndexPolicies', 'logs:DescribeResourcePolicies', 'logs:PutResourcePolicy',
          'logs:DeleteResourcePolicy', 'logs:CreateLogDelivery',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ProjectImageRepository',
        actions: [
          'ecr:CreateRepository', 'ecr:DeleteRepository', 'ecr:DescribeRepositories', 'ecr:PutLifecyclePolicy',
          'ecr:GetLifecyclePolicy', 'ecr:DeleteLifecyclePolicy', 'ecr:SetRepositoryPolicy', 'ecr:GetRepositoryPolicy',
          'ecr:DeleteRepositoryPolicy', 'ecr:PutImageScanningConfiguration', 'ecr:PutImageTagMutability',
          'ecr:TagResource', 'ecr:UntagResource', 'ecr:ListTagsForResource', 'ecr:ListImages', 'ecr:BatchDeleteImage',
        ],
        resources: [arn('ecr', 'repository', 'sagemaker-p-*', { sep: ArnFormat.SLASH_RESOURCE_NAME })],
      }),
      // The notification topic's key: KMS generates key ids, so the key statements are scoped by the project tag the
      // template puts on the key (aws:RequestTag at CreateKey, aws:ResourceTag afterwards; AWS KMS "ABAC for AWS KMS").
      new iam.PolicyStatement({
        sid: 'CreateProjectKeys',
        actions: ['kms:CreateKey'],
        resources: ['*'],
        conditions: { StringLike: { [`aws:RequestTag/${PROJECT_ID_TAG}`]: 'p-*' } },
      }),
      new iam.PolicyStatement({
        sid: 'ManageProjectKeys',
        actions: [
          'kms:DescribeKey', 'kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:EnableKeyRotation',
          'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:DisableKey', 'kms:UpdateKeyDescription', 'kms:ScheduleKeyDeletion',
          'kms:TagResource', 'kms:UntagResource', 'kms:ListResourceTags',
        ],
        resources: [arn('kms', 'key', '*', { sep: ArnFormat.SLASH_RESOURCE_NAME })],
        conditions: { StringLike: { [`aws:ResourceTag/${PROJECT_ID_TAG}`]: 'p-*' } },
      }),
      new iam.PolicyStatement({
        sid: 'ProjectNotificationTopics',
        actions: [
          'sns:CreateTopic', 'sns:DeleteTopic', 'sns:GetTopicAttributes', 'sns:SetTopicAttributes', 'sns:GetDataProtectionPolicy',
          'sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes', 'sns:ListSubscriptionsByTopic',
          'sns:TagResource', 'sns:UntagResource', 'sns:ListTagsForResource',
        ],
        resources: [arn('sns', 'sagemaker-p-*', undefined)],
      }),
    ];
    if (props.codeConnections) statements.push(...connectionStatements());
    statements.forEach((statement) => this.role.addToPolicy(statement));
  }

  /**
   * S3 templates: the execution roles may assume this role (the sample's launch role trusts the execution role).
   * Listed ARNs are trusted by name; patterns through the account and aws:PrincipalArn, the only way a trust
   * policy matches wildcards (a role matched that way also needs sts:AssumeRole in its own policy: the S3 templates
   * user policy grants it).
   */
  private trustExecutionRoles(s3Templates: LaunchRoleS3TemplatesProps): void {
    const trust = this.role.assumeRolePolicy!;
    if (s3Templates.executionRoleArns.length > 0) {
      trust.addStatements(new iam.PolicyStatement({
        sid: 'ExecutionRolesLaunchS3Templates',
        actions: ['sts:AssumeRole'],
        principals: s3Templates.executionRoleArns.map((roleArn) => new iam.ArnPrincipal(roleArn)),
      }));
    }
    if (s3Templates.rolePatterns.length > 0) {
      trust.addStatements(new iam.PolicyStatement({
        sid: 'RolePatternsLaunchS3Templates',
        actions: ['sts:AssumeRole'],
        principals: [new iam.AccountRootPrincipal()],
        conditions: { ArnLike: { 'aws:PrincipalArn': s3Templates.rolePatterns.map(rolePatternArn) } },
      }));
    }
  }
}

/** An access.rolePatterns entry (role path and name, with wildcards) as a role ARN pattern of this account. */
export function rolePatternArn(pattern: string): string {
  return `arn:${Aws.PARTITION}:iam::${Aws.ACCOUNT_ID}:role/${pattern}`;
}

/** Creating the project's CodeCommit repositories (their seed archives are read under ReadSeedRepoAssets). */
function codeCommitStatements(): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({
      sid: 'ProjectRepositories',
      actions: [
        'codecommit:CreateRepository', 'codecommit:DeleteRepository', 'codecommit:GetRepository',
        'codecommit:UpdateRepositoryDescription', 'codecommit:UpdateRepositoryName', 'codecommit:TagResource',
        'codecommit:UntagResource', 'codecommit:ListTagsForResource', 'codecommit:GetBranch', 'codecommit:CreateCommit',
        'codecommit:PutRepositoryTriggers', 'codecommit:GetRepositoryTriggers', 'codecommit:UpdateDefaultBranch',
        'codecommit:AssociateApprovalRuleTemplateWithRepository',
      ],
      resources: [arn('codecommit', 'sagemaker-*', undefined)],
    }),
    // The CodeCommit provider lists repositories to confirm deletes; list actions have no resource-level permissions.
    new iam.PolicyStatement({
      sid: 'ListRepositories',
      actions: ['codecommit:ListRepositories'],
      resources: ['*'],
    }),
  ];
}

/** What a launch needs when the repositories are behind a connection: the pipelines name it, a function seeds the repositories. */
function connectionStatements(): iam.PolicyStatement[] {
  const seedFunctions = arn('lambda', 'function', 'sagemaker-p-*', { sep: ArnFormat.COLON_RESOURCE_NAME });
  return [
    // CreatePipeline and UpdatePipeline check that the caller may pass a pipeline's connection to CodePipeline (CloudFormation's
    // AWS::CodePipeline::Pipeline handlers list PassConnection); the prefix must match the connection's ARN ("Connections rename").
    ...CONNECTION_SERVICES.map((service) => new iam.PolicyStatement({
      sid: service === 'codeconnections' ? 'PassConnectionsToCodePipeline' : 'PassCodeStarConnectionsToCodePipeline',
      actions: [`${service}:PassConnection`],
      resources: [arn(service, 'connection', '*', { sep: ArnFormat.SLASH_RESOURCE_NAME })],
      conditions: { StringEquals: { [`${service}:PassedToService`]: 'codepipeline.amazonaws.com' } },
    })),
    // The seed check-in function: the Lambda provider's handler permissions, less code signing, layers, capacity providers,
    // VPC and KMS configuration, which the function does not use.
    new iam.PolicyStatement({
      sid: 'ProjectSeedFunctions',
      actions: [
        'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:UpdateFunctionCode',
        'lambda:UpdateFunctionConfiguration', 'lambda:PublishVersion', 'lambda:TagResource', 'lambda:UntagResource', 'lambda:ListTags',
        'lambda:GetFunctionRecursionConfig', 'lambda:PutFunctionRecursionConfig', 'lambda:GetRuntimeManagementConfig',
        'lambda:PutRuntimeManagementConfig', 'lambda:GetFunctionScalingConfig', 'lambda:PutFunctionScalingConfig',
        'lambda:PutFunctionConcurrency', 'lambda:DeleteFunctionConcurrency', 'lambda:GetFunctionCodeSigningConfig',
        // CloudFormation invokes a custom resource's function with the stack's role.
        'lambda:InvokeFunction',
      ],
      resources: [seedFunctions],
    }),
    new iam.PolicyStatement({
      sid: 'ProjectFunctionLogGroups',
      actions: LOG_GROUP_HANDLER_ACTIONS,
      resources: [arn('logs', 'log-group', '/aws/lambda/sagemaker-p-*', { sep: ArnFormat.COLON_RESOURCE_NAME })],
    }),
  ];
}
