import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sagemaker from 'aws-cdk-lib/aws-sagemaker';
import { Construct } from 'constructs';
import { buildLogGroup, buildProjectDefaults, ProjectContext, projectPipeline, serviceRole } from './project-context';
import { CodeCommitSource } from './seed-repository';
import { ISourceProvider, SourceRepository } from './source-repository';

/** Physical names of everything the ModelBuild side creates (resolved by the project stack). */
export interface ModelBuildNames {
  readonly repository: string;
  readonly buildProject: string;
  readonly pipeline: string;
  readonly sageMakerPipeline: string;
  readonly modelPackageGroup: string;
  readonly triggerRule: string;
  readonly buildRole: string;
  readonly pipelineRole: string;
  readonly executionRole: string;
}

export interface ModelBuildPipelineProps {
  readonly project: ProjectContext;
  readonly names: ModelBuildNames;
  /** Folder seeded into the ModelBuild repo. */
  readonly seedDirectory: string;
  /**
   * Where the repository is hosted.
   * @default CodeCommitSource (a CodeCommit repository per launch)
   */
  readonly source?: ISourceProvider;
  /** Role EventBridge uses to start the project's pipelines. */
  readonly eventsRole: iam.IRole;
  /**
   * AWS-owned ECR repositories of the framework images the SageMaker Pipeline runs.
   * @default ['sagemaker-xgboost', 'sagemaker-scikit-learn']
   */
  readonly frameworkImageRepositories?: string[];
}

/**
 * ModelBuild: a repo seeded with the SageMaker Pipeline code, a CodeBuild project that tests it and
 * upserts/starts the SageMaker Pipeline, a CodePipeline (V2) started by pushes to `main`, the model
 * package group the pipeline registers into, and the pipeline's execution role.
 */
export class ModelBuildPipeline extends Construct {
  readonly repository: SourceRepository;
  readonly modelPackageGroup: sagemaker.CfnModelPackageGroup;
  readonly executionRole: iam.Role;
  readonly buildRole: iam.Role;
  readonly buildProject: codebuild.PipelineProject;
  readonly buildLogGroup: logs.LogGroup;
  readonly pipeline: codepipeline.Pipeline;

  constructor(scope: Construct, id: string, props: ModelBuildPipelineProps) {
    super(scope, id);
    const { project, names } = props;
    const sagemakerArn = (resource: string) => `arn:${Aws.PARTITION}:sagemaker:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    // SageMaker lower-cases names in ARNs and project names may contain upper case: match on the (lower-case) id suffix.
    const idSuffixed = `*-${project.projectId}`;

    this.repository = (props.source ?? new CodeCommitSource()).repository(this, 'Repository', {
      role: 'modelBuild',
      repositoryName: names.repository,
      description: `ModelBuild code of SageMaker project ${project.projectName} (SageMaker Pipeline: train and register)`,
      seedDirectory: props.seedDirectory,
    });

    this.modelPackageGroup = new sagemaker.CfnModelPackageGroup(this, 'ModelPackageGroup', {
      modelPackageGroupName: names.modelPackageGroup,
      modelPackageGroupDescription: `Models of SageMaker project ${project.projectName}`,
    });
    // Retained with the project, like the bucket holding the model artifacts: registered versions are the
    // team's models. Deleting it would also fail while it holds versions: the group ends in DeleteFailed and
    // the CloudFormation handler fails the stack deletion (aws-cloudformation-resource-providers-sagemaker,
    // aws-sagemaker-modelpackagegroup DeleteHandler.stabilizedOnDelete). `npx projen delete-project
    // --delete-models` deletes the versions and the group on purpose.
    this.modelPackageGroup.applyRemovalPolicy(RemovalPolicy.RETAIN);

    this.executionRole = serviceRole(this, 'ExecutionRole', names.executionRole, 'sagemaker.amazonaws.com',
      'Runs the SageMaker Pipeline jobs of the project (processing, training, registration)');
    project.artifactBucket.grantReadWrite(this.executionRole);
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PipelineJobs',
      actions: [
        'sagemaker:CreateProcessingJob', 'sagemaker:DescribeProcessingJob', 'sagemaker:StopProcessingJob',
        'sagemaker:CreateTrainingJob', 'sagemaker:DescribeTrainingJob', 'sagemaker:StopTrainingJob',
        'sagemaker:AddTags', 'sagemaker:ListTags',
      ],
      // SageMaker Pipelines names its jobs pipelines-<execution id>-<step>-<suffix>.
      resources: [sagemakerArn('processing-job/pipelines-*'), sagemakerArn('training-job/pipelines-*')],
    }));
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'RegisterIntoTheProjectGroup',
      actions: ['sagemaker:CreateModelPackage', 'sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup', 'sagemaker:AddTags'],
      resources: [sagemakerArn(`model-package-group/${idSuffixed}`), sagemakerArn(`model-package/${idSuffixed}/*`)],
    }));
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PassItselfToItsJobs',
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PullFrameworkImages',
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'],
      // The framework images live in AWS-owned accounts that differ per region.
      resources: (props.frameworkImageRepositories ?? ['sagemaker-xgboost', 'sagemaker-scikit-learn'])
        .map((repo) => `arn:${Aws.PARTITION}:ecr:${Aws.REGION}:*:repository/${repo}`),
    }));
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'RegistryLogin',
      actions: ['ecr:GetAuthorizationToken'],
      resources: ['*'],
    }));
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'JobLogs',
      actions: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
      resources: ['ProcessingJobs', 'TrainingJobs'].map((kind) =>
        `arn:${Aws.PARTITION}:logs:${Aws.REGION}:${Aws.ACCOUNT_ID}:log-group:/aws/sagemaker/${kind}:*`),
    }));
    this.executionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'JobMetrics',
      actions: ['cloudwatch:PutMetricData'],
      resources: ['*'],
      conditions: { StringLike: { 'cloudwatch:namespace': '/aws/sagemaker/*' } },
    }));

    this.buildRole = serviceRole(this, 'BuildRole', names.buildRole, 'codebuild.amazonaws.com',
      'Tests the ModelBuild repo, then upserts and starts the project\'s SageMaker Pipeline');
    project.artifactBucket.grantReadWrite(this.buildRole);
    this.buildRole.addToPolicy(new iam.PolicyStatement({
      sid: 'UpsertAndStartTheProjectPipeline',
      actions: [
        'sagemaker:CreatePipeline', 'sagemaker:UpdatePipeline', 'sagemaker:DescribePipeline',
        'sagemaker:StartPipelineExecution', 'sagemaker:DescribePipelineExecution', 'sagemaker:AddTags', 'sagemaker:ListTags',
      ],
      resources: [sagemakerArn(`pipeline/${idSuffixed}`), sagemakerArn(`pipeline/${idSuffixed}/execution/*`)],
    }));
    this.buildRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PassOnlyTheExecutionRole',
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    }));

    this.buildLogGroup = buildLogGroup(this, 'BuildLogs', names.buildProject);
    this.buildProject = new codebuild.PipelineProject(this, 'Build', {
      projectName: names.buildProject,
      description: 'Tests the ModelBuild code, uploads the seed data once, upserts and starts the SageMaker Pipeline',
      role: this.buildRole,
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml'),
      timeout: Duration.minutes(30),
      ...buildProjectDefaults(this.buildLogGroup),
      environmentVariables: {
        SAGEMAKER_PROJECT_NAME: { value: project.projectName },
        SAGEMAKER_PROJECT_ID: { value: project.projectId },
        ARTIFACT_BUCKET: { value: project.artifactBucket.bucketName },
        SAGEMAKER_PIPELINE_NAME: { value: names.sageMakerPipeline },
        SAGEMAKER_PIPELINE_ROLE_ARN: { value: this.executionRole.roleArn },
        MODEL_PACKAGE_GROUP_NAME: { value: names.modelPackageGroup },
      },
    });

    const pipelineRole = serviceRole(this, 'PipelineRole', names.pipelineRole, 'codepipeline.amazonaws.com',
      'Runs the ModelBuild CodePipeline');
    const source = new codepipeline.Artifact('Source');
    this.pipeline = projectPipeline(this, 'Pipeline', names.pipeline, pipelineRole, project, [
      {
        stageName: 'Source',
        actions: [this.repository.sourceAction('ModelBuildCode', source)],
      },
      {
        stageName: 'Build',
        actions: [new actions.CodeBuildAction({
          actionName: 'TestAndStartSageMakerPipeline', project: this.buildProject, input: source,
        })],
      },
    ]);

    this.repository.startOnPush(this.pipeline, names.triggerRule, props.eventsRole);
  }
}
