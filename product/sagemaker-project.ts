/**
 * The SageMaker Projects contract in one place: tag keys, parameter names and physical-name helpers.
 *
 * Names follow the built-in MLOps templates. Project names may contain upper case, so only the
 * lower-case project id ever goes into S3 or ECR names. Each helper declares its service's length
 * limit; `test/sagemaker-project.test.ts` checks every helper at the longest legal name and id.
 */

/** Tag Studio reads to list a product under Projects → Organization templates. */
export const STUDIO_VISIBILITY_TAG = 'sagemaker:studio-visibility';
export const PROJECT_NAME_TAG = 'sagemaker:project-name';

/**
 * S3 templates (Studio lists CloudFormation templates kept in S3, without Service Catalog). Per
 * aws-samples/sagemaker-custom-project-templates, s3_templates/README.md (steps 2, 4 and 5): each template object
 * carries STUDIO_VISIBILITY_TAG=true, the Studio domain carries this tag with the value s3://<bucket>/<prefix>/,
 * and the bucket needs a CORS rule for Studio's origin. s3_templates/sample-templates/iam/cfn-stack-sm-projects.json:
 * the project stacks are named SP-*.
 */
export const S3_TEMPLATES_LOCATION_TAG = 'sagemaker:projectS3TemplatesLocation';
export const STUDIO_ORIGIN = 'https://*.sagemaker.aws';
export const S3_TEMPLATE_STACK_PREFIX = 'SP-';
export const PROJECT_ID_TAG = 'sagemaker:project-id';

/** Parameters Studio fills when it provisions the product. */
export const PROJECT_NAME_PARAMETER = 'SageMakerProjectName';
export const PROJECT_ID_PARAMETER = 'SageMakerProjectId';

/**
 * SageMaker CreateProject's validation for project names (`^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,31}`: a
 * leading digit is legal, e.g. `2026-churn`); the template repeats it so that every name SageMaker
 * accepts also passes CloudFormation parameter validation, and a direct launch fails the same way.
 */
export const PROJECT_NAME_PATTERN = '^[a-zA-Z0-9](-*[a-zA-Z0-9])*$';
export const PROJECT_NAME_MAX_LENGTH = 32;
export const PROJECT_ID_PATTERN = '^p-[a-z0-9]{12}$';
export const PROJECT_ID_LENGTH = 14;

/**
 * Launch fields of a product whose repositories live on GitHub, GitLab or Bitbucket (a CodeConnections
 * connection). Studio passes a product's parameters as CreateProject's ProvisioningParameters and shows
 * every one without a default as a required field of the launch form, with its Description.
 */
export const CONNECTION_ARN_PARAMETER = 'CodeConnectionArn';
export const MODEL_BUILD_REPOSITORY_PARAMETER = 'ModelBuildRepository';
export const MODEL_DEPLOY_REPOSITORY_PARAMETER = 'ModelDeployRepository';
export const GIT_BRANCH_PARAMETER = 'GitBranch';
/**
 * A connection ARN, under the current prefix or the one from before the rename (AWS CodeConnections
 * user guide, "Connections rename": connections created before July 2024 keep codestar-connections).
 */
export const CONNECTION_ARN_PATTERN = '^arn:aws[a-z-]*:(codeconnections|codestar-connections):[a-z0-9-]+:[0-9]{12}:connection/[0-9a-f-]{36}$';
/** owner/name, the CodeStarSourceConnection action's FullRepositoryId (one owner level: no GitLab subgroups). */
export const REPOSITORY_ID_PATTERN = '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$';
export const REPOSITORY_ID_MAX_LENGTH = 200;
/** A branch name git accepts and a shell never reads as an option (no leading '-'). */
export const GIT_BRANCH_PATTERN = '^[A-Za-z0-9_][A-Za-z0-9_./-]*$';
export const GIT_BRANCH_MAX_LENGTH = 100;

/** The longest legal values, used to prove that every physical name fits its service's limit. */
export const LONGEST_PROJECT_NAME = 'A'.padEnd(PROJECT_NAME_MAX_LENGTH, '9');
export const LONGEST_PROJECT_ID = 'p-'.padEnd(PROJECT_ID_LENGTH, 'z');

/** Name and id of one project: literals in tests, CloudFormation parameter tokens in the product. */
export interface ProjectIdentity {
  readonly projectName: string;
  readonly projectId: string;
}

/** Stages the ModelDeploy pipeline deploys, in order. */
export type DeployStage = 'staging' | 'prod';

/** A physical-name rule: the service's limit and how the name is made from the project identity. */
export interface NameRule {
  readonly service: string;
  readonly maxLength: number;
  /** True where the service rejects upper case (S3, ECR): such names must not contain the project name. */
  readonly lowerCaseOnly: boolean;
  readonly make: (project: ProjectIdentity) => string;
}

function rule(service: string, maxLength: number, lowerCaseOnly: boolean, make: (p: ProjectIdentity) => string): NameRule {
  return { service, maxLength, lowerCaseOnly, make };
}

/** Every physical name one launch creates. Roles and rules use the id only: the name would not fit in 64 characters. */
export const PROJECT_NAMES = {
  artifactBucket: rule('S3 bucket', 63, true, (p) => `sagemaker-project-${p.projectId}`),
  modelPackageGroup: rule('SageMaker model package group', 63, false, (p) => `${p.projectName}-${p.projectId}`),
  modelBuildRepository: rule('CodeCommit repository', 100, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modelbuild`),
  modelBuildProject: rule('CodeBuild project', 150, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modelbuild`),
  modelBuildPipeline: rule('CodePipeline pipeline', 100, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modelbuild`),
  sageMakerPipeline: rule('SageMaker pipeline', 256, false, (p) => `${p.projectName}-${p.projectId}`),
  modelDeployRepository: rule('CodeCommit repository', 100, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modeldeploy`),
  modelDeployProject: rule('CodeBuild project', 150, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modeldeploy`),
  modelDeployTestProject: rule('CodeBuild project', 150, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modeldeploy-test`),
  modelDeployPromoteProject: rule('CodeBuild project', 150, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modeldeploy-promote`),
  modelDeployPipeline: rule('CodePipeline pipeline', 100, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-modeldeploy`),
  stagingStack: rule('CloudFormation stack', 128, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-deploy-staging`),
  prodStack: rule('CloudFormation stack', 128, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-deploy-prod`),
  inferenceRepository: rule('ECR repository', 256, true, (p) => `sagemaker-${p.projectId}-inference`),
  modelBuildTriggerRule: rule('EventBridge rule', 64, false, (p) => `sagemaker-${p.projectId}-modelbuild-on-push`),
  modelDeployTriggerRule: rule('EventBridge rule', 64, false, (p) => `sagemaker-${p.projectId}-modeldeploy-on-push`),
  modelApprovedRule: rule('EventBridge rule', 64, false, (p) => `sagemaker-${p.projectId}-model-approved`),
  pipelineFailedRule: rule('EventBridge rule', 64, false, (p) => `sagemaker-${p.projectId}-pipeline-failed`),
  approvalNeededRule: rule('EventBridge rule', 64, false, (p) => `sagemaker-${p.projectId}-approval-needed`),
  modelRegisteredRule: rule('EventBridge rule', 64, false, (p) => `sagemaker-${p.projectId}-model-registered`),
  notificationTopic: rule('SNS topic', 256, false, (p) => `sagemaker-${p.projectId}-notifications`),
  pipelineExecutionRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-pipeline-execution`),
  modelBuildRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-modelbuild-build`),
  modelBuildPipelineRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-modelbuild-pipeline`),
  modelDeployBuildRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-modeldeploy-build`),
  modelDeployTestRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-modeldeploy-test`),
  modelDeployPromoteRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-modeldeploy-promote`),
  modelDeployPipelineRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-modeldeploy-pipeline`),
  cloudFormationDeployRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-cfn-deploy`),
  lambdaExecutionRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-inference-lambda`),
  endpointModelRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-endpoint-model`),
  stagingEndpoint: rule('SageMaker endpoint', 63, false, (p) => `sagemaker-${p.projectId}-staging`),
  eventsRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-events`),
  inferenceFunction: rule('Lambda function', 64, false, (p) => `sagemaker-${p.projectId}-staging-inference`),
  // Seeding empty repositories reached through a connection (codeconnections sources only).
  seedCheckinProject: rule('CodeBuild project', 150, false, (p) => `sagemaker-${p.projectName}-${p.projectId}-seed-checkin`),
  seedCheckinRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-seed-checkin`),
  seedTriggerFunction: rule('Lambda function', 64, false, (p) => `sagemaker-${p.projectId}-seed-trigger`),
  seedTriggerRole: rule('IAM role', 64, false, (p) => `sagemaker-${p.projectId}-seed-trigger`),
} satisfies Record<string, NameRule>;

export type ProjectNameKey = keyof typeof PROJECT_NAMES;

/** The physical name of `key` for this project. */
export function projectName(key: ProjectNameKey, project: ProjectIdentity): string {
  return PROJECT_NAMES[key].make(project);
}

/**
 * Prefix shared by every IAM role, Lambda function, alarm and log group of one project. IAM policies
 * scope to `${prefix}*` so that a project's roles can never touch another project's resources.
 */
export function projectResourcePrefix(projectId: string): string {
  return `sagemaker-${projectId}-`;
}

/** The Lambda function the deploy stack creates for `stage`; the seed's stack uses the same pattern. */
export function inferenceFunctionName(projectId: string, stage: DeployStage): string {
  return `${projectResourcePrefix(projectId)}${stage}-inference`;
}
