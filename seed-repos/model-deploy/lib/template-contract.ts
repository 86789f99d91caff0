/**
 * The names this repository shares with the project's ModelDeploy pipeline: template
 * parameter names, output names, tag keys, resource name prefixes and the files the build
 * exports. Everything that another component (the pipeline, the deploy role, the smoke test)
 * relies on is spelled here and only here.
 */

/** Construct id of the one stack the app synthesizes; its template is `cdk.out/<id>.template.json`. */
export const STACK_ID = 'InferenceService';

/** The two stages the pipeline deploys, in order. */
export const STAGES = ['staging', 'prod'] as const;
export type Stage = (typeof STAGES)[number];

/** SageMaker project id: `p-` followed by 12 lowercase alphanumerics. */
export const PROJECT_ID_PATTERN = '^p-[a-z0-9]{12}$';

/** SageMaker Projects tag keys, applied to the deploy stacks through the template configuration files. */
export const TAG_PROJECT_NAME = 'sagemaker:project-name';
export const TAG_PROJECT_ID = 'sagemaker:project-id';

/** Template parameter names. */
export const Params = {
  projectId: 'ProjectId',
  stage: 'Stage',
  imageRepositoryName: 'ImageRepositoryName',
  imageTag: 'ImageTag',
  lambdaExecutionRoleArn: 'LambdaExecutionRoleArn',
  modelPackageArn: 'ModelPackageArn',
  modelPackageVersion: 'ModelPackageVersion',
  memorySize: 'MemorySize',
  timeoutSeconds: 'TimeoutSeconds',
  reservedConcurrency: 'ReservedConcurrency',
  throttlingRateLimit: 'ThrottlingRateLimit',
  throttlingBurstLimit: 'ThrottlingBurstLimit',
  logRetentionDays: 'LogRetentionDays',
  allowUnauthenticated: 'AllowUnauthenticated',
  serverErrorAlarmThreshold: 'ServerErrorAlarmThreshold',
  latencyP99AlarmThresholdMs: 'LatencyP99AlarmThresholdMs',
  lambdaErrorAlarmThreshold: 'LambdaErrorAlarmThreshold',
  throttleAlarmThreshold: 'ThrottleAlarmThreshold',
  notificationTopicArn: 'NotificationTopicArn',
  codeDeployRoleArn: 'CodeDeployRoleArn',
  deploymentConfigName: 'DeploymentConfigName',
  snapStart: 'SnapStart',
  provisionedConcurrency: 'ProvisionedConcurrency',
} as const;

/** Stack output names. `ApiUrl` is read by the pipeline (pipeline variable → STAGING_API_URL). */
export const Outputs = {
  apiUrl: 'ApiUrl',
  predictUrl: 'PredictUrl',
  functionName: 'FunctionName',
  dashboardName: 'DashboardName',
  deploymentGroupName: 'DeploymentGroupName',
} as const;

/** Files the build writes at the root of its output artifact (the pipeline's contract). */
export const ExportFiles = {
  template: 'template-export.json',
  stagingConfig: 'staging-config-export.json',
  prodConfig: 'prod-config-export.json',
} as const;

/** Where `resolve-model` writes the build configuration that later steps read. */
export const BUILD_MODEL_FILE = 'build/model.json';

/** Where the model artifact is unpacked; the service's Dockerfile copies this folder into the image. */
export const SERVICE_MODEL_DIR = 'service/model';
export const MODEL_PACKAGE_FILE = 'model-package.json';

/**
 * API Gateway HTTP APIs allow an integration timeout of at most 30 s. The integration timeout is
 * set explicitly to {@link INTEGRATION_TIMEOUT_SECONDS}, and the Lambda timeout parameter is capped
 * at {@link MAX_LAMBDA_TIMEOUT_SECONDS} so the function always gives up before the API does
 * (the client then sees the function's own error, not an opaque 503 from the API).
 */
export const INTEGRATION_TIMEOUT_SECONDS = 29;
export const MAX_LAMBDA_TIMEOUT_SECONDS = 28;

/**
 * Request limits the handler enforces (env vars `MAX_RECORDS` / `MAX_BODY_BYTES`). The smoke test
 * sends `MAX_RECORDS + 1` records to prove the limit holds in the deployed stage.
 */
export const ServiceLimits = {
  maxRecords: 1000,
  maxBodyBytes: 1024 * 1024,
} as const;

/** The alias the API invokes; CodeDeploy shifts it from the running version to the newly published one. */
export const LIVE_ALIAS = 'live';

/**
 * The metric the function log's `records` field feeds (service/app/service.py writes it on every
 * successful request): one namespace per project and stage, since metric filters take dimensions
 * only from log fields.
 */
export const RecordsMetric = {
  namespace: (projectId: string, stage: string) => `SageMakerProjects/${projectId}/${stage}`,
  metricName: 'RecordsPerRequest',
} as const;

/** The route the model is served on. */
export const PREDICT_PATH = '/predict';

/** The template-configuration tag naming the stage (besides the SageMaker project tags). */
export const TAG_STAGE = 'stage';

/** Physical-name builders; `projectId` and `stage` may be tokens (template parameters). */
export const ResourceNames = {
  functionName: (projectId: string, stage: string) => `sagemaker-${projectId}-${stage}-inference`,
  functionLogGroup: (projectId: string, stage: string) => `/aws/lambda/sagemaker-${projectId}-${stage}-inference`,
  apiName: (projectId: string, stage: string) => `sagemaker-${projectId}-${stage}-api`,
  accessLogGroup: (projectId: string, stage: string) => `/aws/apigateway/sagemaker-${projectId}-${stage}-access`,
  alarmName: (projectId: string, stage: string, what: string) => `sagemaker-${projectId}-${stage}-${what}`,
  /** CodeDeploy application and its one deployment group (names are per account and region, hence the stage). */
  codeDeployApplication: (projectId: string, stage: string) => `sagemaker-${projectId}-${stage}-inference`,
  deploymentGroup: (projectId: string, stage: string) => `sagemaker-${projectId}-${stage}-inference`,
  dashboardName: (projectId: string, stage: string) => `sagemaker-${projectId}-${stage}-inference`,
  metricFilterName: (projectId: string, stage: string) => `sagemaker-${projectId}-${stage}-records`,
} as const;
