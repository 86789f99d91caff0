import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * What every pipeline construct needs from the project that owns it. pipelines/ never imports
 * product/, so the project stack resolves names and passes them in.
 */
export interface ProjectContext {
  /** `SageMakerProjectName` (may be a parameter reference). */
  readonly projectName: string;
  /** `SageMakerProjectId` (may be a parameter reference); lower case, safe in every ARN. */
  readonly projectId: string;
  /** The project's bucket: pipeline artifacts, data, models. */
  readonly artifactBucket: s3.IBucket;
}

/** The ARN of `resource` of `service` in the project's account and region. */
export function regionalArn(service: string, resource: string): string {
  return `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}

/** A year (Control Tower CT.CLOUDWATCH.PR.2's minimum): build logs are small; deleted with the project. */
export const BUILD_LOG_RETENTION = logs.RetentionDays.ONE_YEAR;

/** A log group of the project's own: a year's retention, deleted with the project. */
export function projectLogGroup(scope: Construct, id: string, logGroupName: string): logs.LogGroup {
  return new logs.LogGroup(scope, id, { logGroupName, retention: BUILD_LOG_RETENTION, removalPolicy: RemovalPolicy.DESTROY });
}

/**
 * The log group of a project's CodeBuild project, at the name CodeBuild would use
 * (`/aws/codebuild/<project>`), with a retention. Without it CodeBuild creates the group on the
 * first build, never expiring, and outside the project's stack.
 */
export function buildLogGroup(scope: Construct, id: string, buildProjectName: string): logs.LogGroup {
  return projectLogGroup(scope, id, `/aws/codebuild/${buildProjectName}`);
}

/** The build image and size of every project build. */
export const BUILD_ENVIRONMENT: codebuild.BuildEnvironment = {
  buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL,
};

/** What every project's CodeBuild project shares: the environment, logging into `logGroup` only, no report groups. */
export function buildProjectDefaults(logGroup: logs.ILogGroup) {
  return {
    environment: BUILD_ENVIRONMENT,
    logging: { cloudWatch: { logGroup } },
    // The buildspecs publish no CodeBuild test reports: no report-group grant nothing would use.
    grantReportGroupPermissions: false,
  } satisfies Partial<codebuild.ProjectProps>;
}

/** A role assumed by `service`, with a fixed name (the launch role may only create `sagemaker-p-*` roles). */
export function serviceRole(scope: Construct, id: string, roleName: string, service: string, description: string): iam.Role {
  return new iam.Role(scope, id, { roleName, description, assumedBy: new iam.ServicePrincipal(service) });
}

/**
 * A CodePipeline (V2) of the project: named, run by `role` (every action too), storing artifacts in the
 * project bucket (no extra bucket or KMS key per pipeline), never restarted by its own stack update.
 */
export function projectPipeline(scope: Construct, id: string, pipelineName: string, role: iam.IRole, project: ProjectContext,
  stages: codepipeline.StageProps[], variables: codepipeline.Variable[] = []): codepipeline.Pipeline {
  return new codepipeline.Pipeline(scope, id, {
    pipelineName,
    variables,
    pipelineType: codepipeline.PipelineType.V2,
    role,
    artifactBucket: project.artifactBucket,
    crossAccountKeys: false,
    restartExecutionOnUpdate: false,
    // No RoleArn on any action: each runs as the pipeline role. An action role is assumed *through*
    // the pipeline role (checked at CreatePipeline: InvalidStructureException ... not authorized to
    // perform AssumeRole), so naming the pipeline role itself would need a self-trust it does not have.
    usePipelineRoleForActions: true,
    stages,
  });
}
