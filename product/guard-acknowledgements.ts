import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PortfolioStack } from './portfolio-stack';
import { SageMakerProjectStack } from './project-stack';
import { LambdaServiceTarget } from '../pipelines/lambda-service-target';

/** CDK's namespace for the CfnGuardValidator plugin: an acknowledgement id is `cdk-validator-cfnguard::<rule>`. */
export const GUARD_PLUGIN_NAME = 'cdk-validator-cfnguard';

/** The Control Tower proactive controls acknowledged below: cfn-guard rule name → control id (see the AWS Control Tower control reference). */
export const CONTROLS = {
  api_gw_v2_authorization_type_configured_check: 'CT.APIGATEWAY.PR.5',
  cloudwatch_alarm_action_check: 'CT.CLOUDWATCH.PR.1',
  cloudwatch_log_group_retention_period_check: 'CT.CLOUDWATCH.PR.2',
  cloudwatch_log_group_encrypted_check: 'CT.CLOUDWATCH.PR.3',
  codebuild_project_logging_enabled_check: 'CT.CODEBUILD.PR.3',
  codebuild_project_environment_privileged_check: 'CT.CODEBUILD.PR.4',
  iam_managed_policy_no_statements_with_full_access_check: 'CT.IAM.PR.3',
  lambda_function_public_access_prohibited_check: 'CT.LAMBDA.PR.2',
  lambda_inside_vpc_check: 'CT.LAMBDA.PR.3',
  s3_bucket_logging_enabled_check: 'CT.S3.PR.2',
  s3_event_notifications_enabled_check: 'CT.S3.PR.4',
  s3_bucket_object_lock_enabled_check: 'CT.S3.PR.9',
  s3_bucket_default_encryption_kms_check: 'CT.S3.PR.10',
} as const;
export type GuardRule = keyof typeof CONTROLS;

/** One accepted finding on the construct that raises it (CDK matches the construct and everything below it). */
export interface GuardAcknowledgement {
  readonly rule: GuardRule;
  readonly construct: IConstruct;
  readonly reason: string;
}

/** One accepted finding in a seed repo's deploy template, which this app does not synthesize (matched by logical id). */
export interface SeedGuardAcknowledgement {
  readonly rule: GuardRule;
  readonly logicalIds: readonly string[];
  readonly reason: string;
}

// Reasons shared by the portfolio's asset bucket and the projects' artifact buckets.
const ACCESS_LOGS = 'Server access logs would need one more bucket per project; object-level access is audited with CloudTrail '
  + 'data events, which the platform account enables organization-wide (same reason as cdk-nag AwsSolutions-S1).';
const OBJECT_LOCK = 'Object Lock is for records that must stay immutable for a retention period. These objects are build inputs '
  + 'and outputs that CDK or the pipelines re-create from source; versioning, DeletionPolicy Retain, TLS-only access and '
  + 'blocked public access already guard against loss, and a default retention would stop the lifecycle rule from expiring replaced versions.';

/**
 * Every Control Tower proactive-control finding this app accepts, each with the reason a reviewer can check. This is the
 * one place guard findings are accepted: nothing is disabled app-wide (no `disabledRules`), each finding is acknowledged
 * on the construct that raises it, so any new finding fails synth. Findings that could be fixed were fixed (the asset
 * bucket's lifecycle rule and EventBridge notifications).
 */
export function guardAcknowledgements(stack: PortfolioStack): GuardAcknowledgement[] {
  const acks: GuardAcknowledgement[] = [
    {
      rule: 'iam_managed_policy_no_statements_with_full_access_check',
      construct: stack.launchRole.boundary.policy,
      reason: 'The project permissions boundary is a ceiling, not a grant: service-wide actions are how a boundary names the '
        + 'services project roles may ever use. It is attached to roles, never grants on its own, and each role\'s own policy '
        + 'is scoped to the project\'s resources (same reason as the cdk-nag AwsSolutions-IAM5 acknowledgements).',
    },
    {
      rule: 's3_bucket_logging_enabled_check',
      construct: stack.assetBucket,
      reason: ACCESS_LOGS,
    },
    {
      rule: 's3_bucket_object_lock_enabled_check',
      construct: stack.assetBucket,
      reason: OBJECT_LOCK,
    },
    {
      rule: 's3_bucket_default_encryption_kms_check',
      construct: stack.assetBucket,
      reason: 'Encrypted at rest with SSE-S3. The bucket holds the template\'s own seed code, which CodeCommit reads with the '
        + 'launch role\'s credentials when it creates project repositories: a customer key would need a key policy and '
        + 'kms:Decrypt for the launch role, and protects nothing that is not already in this repository.',
    },
  ];

  const deployment = stack.node.children.find((c) => c.node.id.startsWith('Custom::CDKBucketDeployment'));
  if (deployment) {
    acks.push({
      rule: 'lambda_inside_vpc_check',
      construct: deployment,
      reason: 'CDK-owned BucketDeployment function: during `cdk deploy` it copies the seed archives from the CDK bootstrap '
        + 'bucket to the asset bucket and reaches nothing inside a VPC. This stack has no VPC; one with S3 endpoints '
        + 'for a function that runs once per deploy would add cost and no isolation.',
    });
  }

  if (stack.s3Templates) {
    acks.push({
      rule: 'lambda_inside_vpc_check',
      construct: stack.s3Templates.copyFunction,
      reason: 'CDK-owned AwsCustomResource function: during `cdk deploy` it copies each S3 template from the CDK bootstrap '
        + 'bucket into the asset bucket with its Studio tag and reaches nothing inside a VPC (same reason as the BucketDeployment function).',
    });
  }

  for (const project of [stack.projectStack, stack.endpointProjectStack]) {
    if (project) acks.push(...projectAcknowledgements(project));
  }
  return acks;
}

/** What each product template (a ProductStack) raises. */
function projectAcknowledgements(project: SageMakerProjectStack): GuardAcknowledgement[] {
  const bucket = project.artifactBucket;
  const acks: GuardAcknowledgement[] = [
    { rule: 's3_bucket_logging_enabled_check', construct: bucket, reason: ACCESS_LOGS },
    { rule: 's3_bucket_object_lock_enabled_check', construct: bucket, reason: OBJECT_LOCK },
    {
      rule: 's3_bucket_default_encryption_kms_check',
      construct: bucket,
      reason: 'Encrypted at rest with SSE-S3. A customer key per project would add a key and its cost per launch, and a key '
        + 'policy naming every project role, CodePipeline, CodeBuild and SageMaker; CodeBuild already uses the AWS-managed '
        + 'key for its artifacts (same reason as cdk-nag AwsSolutions-CB4).',
    },
  ];

  const checkin = project.source.seedCheckin;
  const seedLogGroups = checkin ? [checkin.buildLogGroup, checkin.triggerLogGroup] : [];
  for (const logGroup of [project.modelBuild.buildLogGroup, ...project.modelDeploy.buildLogGroups, ...seedLogGroups]) {
    acks.push({
      rule: 'cloudwatch_log_group_encrypted_check',
      construct: logGroup,
      reason: 'CloudWatch Logs encrypts all log data at rest. A customer key per project would need a key policy for the logs '
        + 'service principal and key permissions for the launch role; build logs hold test output and pipeline progress, not data.',
    });
  }

  if (checkin) {
    acks.push({
      rule: 'lambda_inside_vpc_check',
      construct: checkin.triggerFunction,
      reason: 'The seed check-in function only calls CodeBuild (StartBuild, BatchGetBuilds) and answers CloudFormation\'s pre-signed '
        + 'URL, once per launch; it reaches nothing inside a VPC. A VPC would need subnets, security groups and CodeBuild and S3 '
        + 'endpoints in every account the template is launched in.',
    });
  }

  if (project.deployTarget instanceof LambdaServiceTarget) {
    acks.push({
      rule: 'codebuild_project_environment_privileged_check',
      construct: project.modelDeploy.buildProject,
      reason: 'The ModelDeploy build runs `docker build` for the inference image, and CodeBuild runs the Docker daemon only '
        + 'in privileged mode. A ProductStack cannot hold Docker image assets (aws-cdk#31297), so the image must be built '
        + 'here; the build runs the project\'s own buildspec from its own repository with a role scoped to the project.',
    });
  }
  return acks;
}

/** Records every acknowledgement on its construct; the validation report lists each with its reason. */
export function acknowledgeGuardFindings(stack: PortfolioStack): void {
  for (const { rule, construct, reason } of guardAcknowledgements(stack)) {
    Validations.of(construct).acknowledge({ id: `${GUARD_PLUGIN_NAME}::${rule}`, reason: `${CONTROLS[rule]}: ${reason}` });
  }
}

/**
 * The ModelDeploy seed repo's inference stack (seed-repos/model-deploy, `npm run synth` → cdk.out/InferenceService.template.json)
 * is a separate repository and carries no guard plugin; the root tests run the same rules over its template, and these are
 * the findings they accept. The endpoint seed's template.yml raises none.
 */
export const SEED_GUARD_ACKNOWLEDGEMENTS: Readonly<Record<string, readonly SeedGuardAcknowledgement[]>> = {
  'model-deploy/cdk.out/InferenceService.template.json': [
    {
      rule: 'api_gw_v2_authorization_type_configured_check',
      logicalIds: ['HttpApiPOSTpredictFB07340D'],
      reason: 'AuthorizationType is Fn::If on the AllowUnauthenticated parameter: AWS_IAM (SigV4) unless a stage configuration '
        + 'explicitly sets allowUnauthenticated: true (a documented opt-in; both shipped configurations set false). '
        + 'cfn-guard cannot evaluate the condition (the seed\'s cdk-nag APIG4 acknowledgement says the same).',
    },
    {
      rule: 'lambda_function_public_access_prohibited_check',
      logicalIds: ['HttpApiPOSTpredictPredictIntegrationPermission8962A0FC'],
      reason: 'Not public: the principal is apigateway.amazonaws.com and SourceArn is this API\'s own execute-api ARN '
        + '(…:<api id>/*/*/predict). The control accepts SourceArn only as a literal string, Ref or GetAtt, not the Fn::Join '
        + 'that builds the ARN.',
    },
    {
      rule: 'lambda_inside_vpc_check',
      logicalIds: ['Function76856677'],
      reason: 'The model is baked into the image and the handler calls no AWS service or private endpoint (it depends on '
        + 'xgboost and numpy only), so a VPC would isolate nothing; it would need subnets, security groups and VPC '
        + 'endpoints in every account the project deploys to, and add network-interface setup to cold starts.',
    },
    {
      rule: 'cloudwatch_log_group_retention_period_check',
      logicalIds: ['FunctionLogGroupBD1576D5', 'AccessLogGroupEC82D238'],
      reason: 'RetentionInDays is the LogRetentionDays parameter, set per stage: 365 days in prod (config/prod.json), 30 in '
        + 'staging, a test stage whose logs are not records. cfn-guard cannot evaluate a Ref.',
    },
    {
      rule: 'cloudwatch_log_group_encrypted_check',
      logicalIds: ['FunctionLogGroupBD1576D5', 'AccessLogGroupEC82D238'],
      reason: 'CloudWatch Logs encrypts all log data at rest. A customer key per stage would need a key policy for the logs '
        + 'service principal and key permissions for the deploy role; the logs hold request metadata and errors, not '
        + 'request bodies (the handler logs those only with LOG_PAYLOADS, which the stack never sets).',
    },
    {
      rule: 'cloudwatch_alarm_action_check',
      logicalIds: ['Api5xxAlarm31F257DC', 'ApiLatencyP99Alarm8892507F', 'LambdaErrorsAlarm8ED74A7D', 'LambdaThrottlesAlarm13DE03A1',
        'VersionErrorsAlarmFB0B8E85', 'VersionDurationP99AlarmD3743240'],
      reason: 'Every alarm\'s AlarmActions and OKActions are Fn::If on the NotificationTopicArn parameter: the ModelDeploy build always '
        + 'sets it to the project\'s notification topic (NOTIFICATION_TOPIC_ARN); only a local synth without a topic has none. cfn-guard '
        + 'checks the template before parameters are known, so it cannot evaluate the condition.',
    },
  ],
  'model-deploy-endpoint/template.yml': [],
};
