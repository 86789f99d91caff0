import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { DeployRoles, DeployTargetBinding, IDeployTarget, stackMonitoringStatements } from './deploy-target';
import { LOG_GROUP_HANDLER_ACTIONS } from './log-group-actions';
import { ProjectContext, regionalArn, serviceRole } from './project-context';

/** Files the Lambda seed's buildspec.yml writes (template name; the configurations are shared). */
export const LAMBDA_EXPORT_TEMPLATE = 'template-export.json';
/** Output of the seed's inference stack that the staging test reads. */
export const API_URL_OUTPUT = 'ApiUrl';
/** The seed buildspec that tags the image prod runs, after each prod deployment. */
export const PROMOTE_BUILDSPEC = 'buildspec-promote.yml';
/**
 * Tag prefixes the seed adds to the image a stage runs (scripts/tag-image.sh). Each has its own
 * lifecycle rule keeping the newest few; ECR never lets a lower-priority rule expire an image a
 * higher-priority rule selected, so the count rule can no longer expire what a stage runs or may
 * roll back to.
 */
export const STAGE_IMAGE_TAG_PREFIXES = { prod: 'prod-', staging: 'staging-' } as const;
/**
 * Name of each stage's function, CodeDeploy application and deployment group, and dashboard:
 * `sagemaker-<id>-<stage>-inference` (the seed's lib/template-contract.ts ResourceNames). Spelled out per
 * stage so the deploy and CodeDeploy roles name exactly these resources, without wildcards.
 */
export const INFERENCE_STAGES = ['staging', 'prod'] as const;
const inferenceNames = (prefix: string) => INFERENCE_STAGES.map((stage) => `${prefix}${stage}-inference`);
/** The alarms CodeDeploy reads during a deployment (the seed's lib/inference-service-stack.ts ROLLBACK_ALARMS). */
export const ROLLBACK_ALARMS = ['api-5xx', 'version-errors', 'version-duration-p99'] as const;
/** The alias the seed's API invokes and CodeDeploy shifts (lib/template-contract.ts LIVE_ALIAS). */
export const LIVE_ALIAS = 'live';
/**
 * CodeDeploy's predefined Lambda deployment configurations, which the seed's stage files choose from
 * (lib/stage-config.ts DEPLOYMENT_PREFERENCES, read from aws-cdk-lib's LambdaDeploymentConfig).
 * @see https://docs.aws.amazon.com/codedeploy/latest/userguide/deployment-configurations.html
 */
export const LAMBDA_DEPLOYMENT_CONFIGS = [
  'LambdaAllAtOnce', 'LambdaCanary10Percent5Minutes', 'LambdaCanary10Percent10Minutes', 'LambdaCanary10Percent15Minutes',
  'LambdaCanary10Percent30Minutes', 'LambdaLinear10PercentEvery1Minute', 'LambdaLinear10PercentEvery2Minutes',
  'LambdaLinear10PercentEvery3Minutes', 'LambdaLinear10PercentEvery10Minutes',
].map((name) => `CodeDeployDefault.${name}`);

/** Images kept per stage prefix: the one running and the ones a rollback may return to. */
export const STAGE_IMAGES_KEPT = 5;

export interface LambdaServiceTargetProps {
  /** ECR repository for the inference images (lower case). */
  readonly imageRepositoryName: string;
  /** Role the inference functions run with. */
  readonly lambdaExecutionRoleName: string;
  /**
   * Role CodeDeploy shifts the deploy stacks' `live` aliases with.
   * @default `<resourcePrefix>inference-codedeploy`
   */
  readonly codeDeployRoleName?: string;
  /** Prefix of every function, alarm and log group name the deploy stacks create: `sagemaker-<id>-`. */
  readonly resourcePrefix: string;
  /**
   * Images kept in the ECR repository (older ones expire).
   * @default 20
   */
  readonly maxImageCount?: number;
  /**
   * Delete the ECR repository and its images with the project. Off by default: images of a prod
   * deployment must survive an accidental project deletion.
   * @default false
   */
  readonly deleteImagesWithProject?: boolean;
}

/**
 * Serves the model as an API Gateway HTTP API backed by a Lambda container image (the
 * seed-repos/model-deploy service). The build pushes the image to the project's ECR repository;
 * CloudFormation deploys the HTTP API, the function, its log groups and alarms.
 */
export class LambdaServiceTarget implements IDeployTarget {
  readonly description = 'serverless inference: API Gateway + Lambda';
  imageRepository?: ecr.Repository;
  lambdaExecutionRole?: iam.Role;
  codeDeployRole?: iam.Role;

  constructor(private readonly props: LambdaServiceTargetProps) {}

  bind(scope: Construct, project: ProjectContext, roles: DeployRoles): DeployTargetBinding {
    const props = this.props;
    const prefix = props.resourcePrefix;

    const imageRepository = new ecr.Repository(scope, 'ImageRepository', {
      repositoryName: props.imageRepositoryName,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      lifecycleRules: [
        ...Object.entries(STAGE_IMAGE_TAG_PREFIXES).map(([stage, tagPrefix], index) => ({
          rulePriority: index + 1,
          description: `Keep the newest ${STAGE_IMAGES_KEPT} images ${stage} ran (tags ${tagPrefix}*)`,
          tagStatus: ecr.TagStatus.TAGGED,
          tagPrefixList: [tagPrefix],
          maxImageCount: STAGE_IMAGES_KEPT,
        })),
        { rulePriority: 10, description: 'Keep the newest builds only', maxImageCount: props.maxImageCount ?? 20 },
      ],
      removalPolicy: props.deleteImagesWithProject ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      emptyOnDelete: props.deleteImagesWithProject ? true : undefined,
    });
    // Lambda pulls the image with its service principal; only this project's functions in this account may.
    imageRepository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'LambdaPullForProjectFunctions',
      principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': regionalArn('lambda', `function:${prefix}*`) },
      },
    }));

    const lambdaExecutionRole = serviceRole(scope, 'LambdaExecutionRole', props.lambdaExecutionRoleName, 'lambda.amazonaws.com',
      'Runs the inference function: writes its own logs, nothing else');
    lambdaExecutionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [regionalArn('logs', `log-group:/aws/lambda/${prefix}*:*`)],
    }));

    const codeDeployRole = this.codeDeployRoleFor(scope, prefix);

    imageRepository.grantPullPush(roles.build);
    // Tagging the staging image (scripts/tag-image.sh) reads its manifest and puts it under a new tag.
    // The build reuses an already pushed tag on a re-run (the tags are immutable): it looks the tag up first.
    imageRepository.grant(roles.build, 'ecr:DescribeImages');
    roles.test.addToPolicy(new iam.PolicyStatement({
      sid: 'InvokeThePredictRoute',
      actions: ['execute-api:Invoke'],
      // API ids are generated by the staging stack, and IAM reads the first segment of an execute-api
      // resource as its type, where a wildcard never matches (so `*/$default/POST/predict` would deny
      // the smoke test). The role only runs the staging smoke test; Invoke is read-only for the model.
      resources: [regionalArn('execute-api', '*')],
    }));
    this.grantDeploy(roles.deploy, imageRepository, lambdaExecutionRole, codeDeployRole, prefix);

    this.imageRepository = imageRepository;
    this.lambdaExecutionRole = lambdaExecutionRole;
    this.codeDeployRole = codeDeployRole;
    return {
      prodPromotion: {
        buildspec: PROMOTE_BUILDSPEC,
        environment: { ECR_REPOSITORY_NAME: imageRepository.repositoryName },
        buildVariables: ['IMAGE_TAG'],
        grant: (role) => imageRepository.grant(role, 'ecr:BatchGetImage', 'ecr:PutImage'),
      },
      privilegedBuild: true,
      exportTemplateName: LAMBDA_EXPORT_TEMPLATE,
      stagingTestInput: { output: API_URL_OUTPUT, variable: 'STAGING_API_URL' },
      buildEnvironment: {
        ECR_REPOSITORY_URI: imageRepository.repositoryUri,
        ECR_REPOSITORY_NAME: imageRepository.repositoryName,
        LAMBDA_EXECUTION_ROLE_ARN: lambdaExecutionRole.roleArn,
        CODEDEPLOY_ROLE_ARN: codeDeployRole.roleArn,
      },
    };
  }

  /**
   * The role CodeDeploy assumes to shift a stage's `live` alias: what AWS's managed
   * AWSCodeDeployRoleForLambdaLimited grants (cloudwatch:DescribeAlarms, lambda:GetAlias,
   * lambda:UpdateAlias, lambda:GetProvisionedConcurrencyConfig), scoped to the project's functions
   * and alarms. Without SNS triggers, S3 AppSpec files or lifecycle hooks it needs nothing else.
   * @see https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCodeDeployRoleForLambdaLimited.html
   */
  private codeDeployRoleFor(scope: Construct, prefix: string): iam.Role {
    const role = serviceRole(scope, 'CodeDeployRole', this.props.codeDeployRoleName ?? `${prefix}inference-codedeploy`,
      'codedeploy.amazonaws.com', 'Shifts the inference functions\' live alias to new versions; reads the rollback alarms');
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ShiftTheLiveAlias',
      actions: ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig'],
      // Lambda authorizes alias calls on the function, version or alias ARN (Lambda Developer Guide,
      // "Fine-tuning the Resources and Conditions sections of policies").
      resources: inferenceNames(prefix).flatMap((fn) => [regionalArn('lambda', `function:${fn}`), regionalArn('lambda', `function:${fn}:${LIVE_ALIAS}`)]),
    }));
    role.addToPolicy(new iam.PolicyStatement({
      sid: 'ReadTheRollbackAlarms',
      // DescribeAlarms with AlarmNames is authorized on each alarm: sagemaker-<id>-<stage>-<alarm>.
      actions: ['cloudwatch:DescribeAlarms'],
      resources: INFERENCE_STAGES.flatMap((stage) => ROLLBACK_ALARMS.map((alarm) => regionalArn('cloudwatch', `alarm:${prefix}${stage}-${alarm}`))),
    }));
    return role;
  }

  /**
   * CloudFormation may manage only HTTP APIs, the project's functions (versions, aliases), their log groups,
   * metric filters, alarms and dashboards, the project's CodeDeploy applications, and pass only the Lambda and CodeDeploy roles.
   */
  private grantDeploy(role: iam.Role, imageRepository: ecr.IRepository, lambdaExecutionRole: iam.IRole, codeDeployRole: iam.IRole,
    prefix: string): void {
    const statements = [
      new iam.PolicyStatement({
        sid: 'HttpApis',
        actions: ['apigateway:GET', 'apigateway:POST', 'apigateway:PUT', 'apigateway:PATCH', 'apigateway:DELETE'],
        // HTTP API ids are generated at create time; API Gateway's ARNs have no account.
        resources: ['/apis', '/apis/*', '/tags/*'].map((path) => `arn:${Aws.PARTITION}:apigateway:${Aws.REGION}::${path}`),
      }),
      new iam.PolicyStatement({
        sid: 'ProjectFunctions',
        actions: [
          'lambda:CreateFunction', 'lambda:DeleteFunction', 'lambda:GetFunction', 'lambda:GetFunctionConfiguration',
          'lambda:UpdateFunctionCode', 'lambda:UpdateFunctionConfiguration', 'lambda:PutFunctionConcurrency',
          'lambda:DeleteFunctionConcurrency', 'lambda:GetFunctionConcurrency', 'lambda:TagResource', 'lambda:UntagResource',
          'lambda:ListTags', 'lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy',
          'lambda:GetRuntimeManagementConfig', 'lambda:PutRuntimeManagementConfig', 'lambda:GetFunctionRecursionConfig',
          'lambda:PutFunctionRecursionConfig', 'lambda:GetFunctionScalingConfig', 'lambda:PutFunctionScalingConfig',
          'lambda:GetFunctionCodeSigningConfig', 'lambda:PublishVersion', 'lambda:ListVersionsByFunction',
          // The live alias and its provisioned concurrency (AWS::Lambda::Alias / ::Version handlers).
          'lambda:CreateAlias', 'lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:DeleteAlias',
          'lambda:PutProvisionedConcurrencyConfig', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:DeleteProvisionedConcurrencyConfig',
        ],
        resources: [regionalArn('lambda', `function:${prefix}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'PullTheInferenceImage',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages', 'ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy'],
        resources: [imageRepository.repositoryArn],
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyTheLambdaRole',
        actions: ['iam:PassRole'],
        resources: [lambdaExecutionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyTheCodeDeployRole',
        actions: ['iam:PassRole'],
        resources: [codeDeployRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } },
      }),
      // Each stage's application and deployment group (names sagemaker-<id>-<stage>-inference), the deployments
      // the alias's UpdatePolicy (CodeDeployLambdaAliasUpdate) starts in them, and the predefined Lambda configurations.
      new iam.PolicyStatement({
        sid: 'ProjectCodeDeployApplications',
        actions: [
          'codedeploy:CreateApplication', 'codedeploy:GetApplication', 'codedeploy:DeleteApplication',
          'codedeploy:CreateDeploymentGroup', 'codedeploy:GetDeploymentGroup', 'codedeploy:UpdateDeploymentGroup',
          'codedeploy:DeleteDeploymentGroup', 'codedeploy:CreateDeployment', 'codedeploy:GetDeployment', 'codedeploy:ListDeployments',
          'codedeploy:TagResource', 'codedeploy:UntagResource', 'codedeploy:ListTagsForResource',
        ],
        resources: inferenceNames(prefix).flatMap((name) =>
          [regionalArn('codedeploy', `application:${name}`), regionalArn('codedeploy', `deploymentgroup:${name}/${name}`)]),
      }),
      new iam.PolicyStatement({
        sid: 'PredefinedLambdaDeploymentConfigs',
        actions: ['codedeploy:GetDeploymentConfig'],
        resources: LAMBDA_DEPLOYMENT_CONFIGS.map((name) => regionalArn('codedeploy', `deploymentconfig:${name}`)),
      }),
      // StopDeployment has no resource-level permissions (only Resource "*" matches it); the alias update calls it on a timeout.
      new iam.PolicyStatement({
        sid: 'StopDeployments',
        actions: ['codedeploy:StopDeployment'],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ProjectLogGroups',
        actions: LOG_GROUP_HANDLER_ACTIONS,
        resources: [`/aws/lambda/${prefix}*`, `/aws/apigateway/${prefix}*`].flatMap((group) =>
          [regionalArn('logs', `log-group:${group}`), regionalArn('logs', `log-group:${group}:*`)]),
      }),
      new iam.PolicyStatement({
        sid: 'FunctionLogMetricFilters',
        actions: ['logs:PutMetricFilter', 'logs:DescribeMetricFilters', 'logs:DeleteMetricFilter'],
        resources: [regionalArn('logs', `log-group:/aws/lambda/${prefix}*`)],
      }),
      // Access-log delivery, log group discovery and index policies have no resource-level permissions
      // (only Resource "*" matches them).
      new iam.PolicyStatement({
        sid: 'AccessLogDelivery',
        actions: [
          'logs:DescribeLogGroups', 'logs:DescribeIndexPolicies', 'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies',
          'logs:DeleteResourcePolicy',
        ],
        resources: ['*'],
      }),
      ...stackMonitoringStatements([regionalArn('cloudwatch', `alarm:${prefix}*`)], inferenceNames(prefix).map((name) => `arn:${Aws.PARTITION}:cloudwatch::${Aws.ACCOUNT_ID}:dashboard/${name}`)),
    ];
    statements.forEach((s) => role.addToPolicy(s));
  }
}
