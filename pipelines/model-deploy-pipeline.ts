import { Aws, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ProjectContext, serviceRole } from './project-context';
import { SEED_BRANCH, SeedRepository } from './seed-repository';

/** Files the seed's buildspec.yml writes at the root of the build output (the seed's contract). */
export const DEPLOY_EXPORT_FILES = {
  template: 'template-export.json',
  stagingConfig: 'staging-config-export.json',
  prodConfig: 'prod-config-export.json',
} as const;

/** Output of the seed's inference stack that the staging test reads. */
export const API_URL_OUTPUT = 'ApiUrl';

/** Physical names of everything the ModelDeploy side creates (resolved by the project stack). */
export interface ModelDeployNames {
  readonly repository: string;
  readonly buildProject: string;
  readonly testProject: string;
  readonly pipeline: string;
  readonly stagingStack: string;
  readonly prodStack: string;
  readonly imageRepository: string;
  readonly pushTriggerRule: string;
  readonly modelApprovedRule: string;
  readonly buildRole: string;
  readonly testRole: string;
  readonly pipelineRole: string;
  readonly deployRole: string;
  readonly lambdaExecutionRole: string;
  /** Prefix of every function, alarm and log group name the deploy stacks create: `sagemaker-<id>-`. */
  readonly inferenceResourcePrefix: string;
}

export interface ModelDeployPipelineProps {
  readonly project: ProjectContext;
  readonly names: ModelDeployNames;
  /** Folder seeded into the ModelDeploy repo. */
  readonly seedDirectory: string;
  /** The model package group whose approved versions are deployed. */
  readonly modelPackageGroupName: string;
  /** Role EventBridge uses to start the project's pipelines. */
  readonly eventsRole: iam.IRole;
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
 * ModelDeploy: a repo seeded with the serverless inference service, the project's ECR repository,
 * a build that bakes the newest approved model into a Lambda image, and a CodePipeline (V2)
 * Source → Build → DeployStaging → TestStaging → ManualApproval → DeployProd. Each role is scoped
 * to its step: the deploy role can only manage the inference stacks' resources.
 */
export class ModelDeployPipeline extends Construct {
  readonly repository: SeedRepository;
  readonly imageRepository: ecr.Repository;
  readonly lambdaExecutionRole: iam.Role;
  readonly buildRole: iam.Role;
  readonly testRole: iam.Role;
  readonly deployRole: iam.Role;
  readonly buildProject: codebuild.PipelineProject;
  readonly testProject: codebuild.PipelineProject;
  readonly pipeline: codepipeline.Pipeline;

  constructor(scope: Construct, id: string, props: ModelDeployPipelineProps) {
    super(scope, id);
    const { project, names } = props;
    const arn = (service: string, resource: string, region: string = Aws.REGION, account: string = Aws.ACCOUNT_ID) =>
      `arn:${Aws.PARTITION}:${service}:${region}:${account}:${resource}`;
    const prefix = names.inferenceResourcePrefix;

    this.repository = new SeedRepository(this, 'Repository', {
      repositoryName: names.repository,
      description: `ModelDeploy code of SageMaker project ${project.projectName} (serverless inference: API Gateway + Lambda)`,
      seedDirectory: props.seedDirectory,
    });

    this.imageRepository = new ecr.Repository(this, 'ImageRepository', {
      repositoryName: names.imageRepository,
      imageScanOnPush: true,
      imageTagMutability: ecr.TagMutability.IMMUTABLE,
      lifecycleRules: [{ description: 'Keep the newest images only', maxImageCount: props.maxImageCount ?? 20 }],
      removalPolicy: props.deleteImagesWithProject ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
      emptyOnDelete: props.deleteImagesWithProject ? true : undefined,
    });
    // Lambda pulls the image with its service principal; only this project's functions in this account may.
    this.imageRepository.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'LambdaPullForProjectFunctions',
      principals: [new iam.ServicePrincipal('lambda.amazonaws.com')],
      actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
      conditions: {
        StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
        ArnLike: { 'aws:SourceArn': arn('lambda', `function:${prefix}*`) },
      },
    }));

    this.lambdaExecutionRole = serviceRole(this, 'LambdaExecutionRole', names.lambdaExecutionRole, 'lambda.amazonaws.com',
      'Runs the inference function: writes its own logs, nothing else');
    this.lambdaExecutionRole.addToPolicy(new iam.PolicyStatement({
      sid: 'WriteOwnLogs',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [arn('logs', `log-group:/aws/lambda/${prefix}*:*`)],
    }));

    this.buildRole = serviceRole(this, 'BuildRole', names.buildRole, 'codebuild.amazonaws.com',
      'Builds the inference image from the newest approved model and pushes it to the project repository');
    this.imageRepository.grantPullPush(this.buildRole);
    project.artifactBucket.grantReadWrite(this.buildRole);
    this.buildRole.addToPolicy(new iam.PolicyStatement({
      sid: 'ListApprovedModels',
      actions: ['sagemaker:ListModelPackages'],
      // ListModelPackages has no resource-level permissions.
      resources: ['*'],
    }));
    this.buildRole.addToPolicy(new iam.PolicyStatement({
      sid: 'DescribeProjectModels',
      actions: ['sagemaker:DescribeModelPackage', 'sagemaker:DescribeModelPackageGroup'],
      resources: [arn('sagemaker', `model-package/*-${project.projectId}/*`), arn('sagemaker', `model-package-group/*-${project.projectId}`)],
    }));

    this.testRole = serviceRole(this, 'TestRole', names.testRole, 'codebuild.amazonaws.com',
      'Runs the SigV4 smoke test against the staging API');
    project.artifactBucket.grantRead(this.testRole);
    this.testRole.addToPolicy(new iam.PolicyStatement({
      sid: 'InvokeThePredictRoute',
      actions: ['execute-api:Invoke'],
      // API ids are generated by the staging stack; the route is the one the seed serves.
      resources: [arn('execute-api', '*/$default/POST/predict')],
    }));

    this.deployRole = this.createDeployRole(names, prefix);

    const environment = { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL };
    this.buildProject = new codebuild.PipelineProject(this, 'Build', {
      projectName: names.buildProject,
      description: 'Tests the ModelDeploy code, builds the inference image with the newest approved model, exports the deploy template',
      role: this.buildRole,
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml'),
      // docker build needs privileged mode.
      environment: { ...environment, privileged: true },
      timeout: Duration.minutes(30),
      environmentVariables: {
        SAGEMAKER_PROJECT_NAME: { value: project.projectName },
        SAGEMAKER_PROJECT_ID: { value: project.projectId },
        SAGEMAKER_PROJECT_ARN: { value: arn('sagemaker', `project/${project.projectName}`) },
        ARTIFACT_BUCKET: { value: project.artifactBucket.bucketName },
        SOURCE_MODEL_PACKAGE_GROUP_NAME: { value: props.modelPackageGroupName },
        ECR_REPOSITORY_URI: { value: this.imageRepository.repositoryUri },
        ECR_REPOSITORY_NAME: { value: this.imageRepository.repositoryName },
        LAMBDA_EXECUTION_ROLE_ARN: { value: this.lambdaExecutionRole.roleArn },
        EXPORT_TEMPLATE_NAME: { value: DEPLOY_EXPORT_FILES.template },
        EXPORT_TEMPLATE_STAGING_CONFIG: { value: DEPLOY_EXPORT_FILES.stagingConfig },
        EXPORT_TEMPLATE_PROD_CONFIG: { value: DEPLOY_EXPORT_FILES.prodConfig },
      },
    });
    this.testProject = new codebuild.PipelineProject(this, 'TestStaging', {
      projectName: names.testProject,
      description: 'SigV4 smoke test of the staging inference API',
      role: this.testRole,
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec-staging-test.yml'),
      environment,
      timeout: Duration.minutes(15),
    });

    const pipelineRole = serviceRole(this, 'PipelineRole', names.pipelineRole, 'codepipeline.amazonaws.com',
      'Runs the ModelDeploy CodePipeline');
    const source = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Build');
    const deploy = (stage: 'Staging' | 'Prod', stackName: string, config: string) => new actions.CloudFormationCreateUpdateStackAction({
      actionName: `Deploy${stage}`,
      stackName,
      templatePath: built.atPath(DEPLOY_EXPORT_FILES.template),
      templateConfiguration: built.atPath(config),
      adminPermissions: false,
      deploymentRole: this.deployRole,
      role: pipelineRole,
      // A failed first create leaves ROLLBACK_COMPLETE; replace it instead of blocking every later run.
      replaceOnFailure: true,
      variablesNamespace: `Deploy${stage}`,
    });
    const deployStaging = deploy('Staging', names.stagingStack, DEPLOY_EXPORT_FILES.stagingConfig);

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: names.pipeline,
      pipelineType: codepipeline.PipelineType.V2,
      role: pipelineRole,
      artifactBucket: project.artifactBucket,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      stages: [
        {
          stageName: 'Source',
          actions: [new actions.CodeCommitSourceAction({
            actionName: 'ModelDeployCode',
            repository: this.repository.repository,
            branch: SEED_BRANCH,
            output: source,
            role: pipelineRole,
            trigger: actions.CodeCommitTrigger.NONE,
          })],
        },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({
            actionName: 'BuildImageAndTemplate', project: this.buildProject, input: source, outputs: [built], role: pipelineRole,
          })],
        },
        { stageName: 'DeployStaging', actions: [deployStaging] },
        {
          stageName: 'TestStaging',
          actions: [new actions.CodeBuildAction({
            actionName: 'SmokeTestStaging',
            project: this.testProject,
            input: source,
            role: pipelineRole,
            // Stack outputs of a CloudFormation action are variables of its namespace.
            environmentVariables: { STAGING_API_URL: { value: `#{${deployStaging.actionProperties.variablesNamespace}.${API_URL_OUTPUT}}` } },
          })],
        },
        {
          stageName: 'ApproveProd',
          actions: [new actions.ManualApprovalAction({
            actionName: 'ApproveProdDeployment',
            role: pipelineRole,
            additionalInformation: 'Staging passed its smoke test. Approve to deploy this model version to prod.',
          })],
        },
        { stageName: 'DeployProd', actions: [deploy('Prod', names.prodStack, DEPLOY_EXPORT_FILES.prodConfig)] },
      ],
    });

    const startPipeline = new targets.CodePipeline(this.pipeline, { eventRole: props.eventsRole });
    new events.Rule(this, 'OnPushToMain', {
      ruleName: names.pushTriggerRule,
      description: `Starts ${names.pipeline} on every push to ${SEED_BRANCH}`,
      eventPattern: {
        source: ['aws.codecommit'],
        detailType: ['CodeCommit Repository State Change'],
        resources: [this.repository.repository.repositoryArn],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: [SEED_BRANCH] },
      },
      targets: [startPipeline],
    });
    new events.Rule(this, 'OnModelApproved', {
      ruleName: names.modelApprovedRule,
      description: `Starts ${names.pipeline} when a model version in ${props.modelPackageGroupName} is approved`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: [props.modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
      },
      targets: [startPipeline],
    });
  }

  /**
   * The identity CloudFormation uses for the staging and prod inference stacks: it may manage only
   * HTTP APIs, the project's functions, their log groups and alarms, and pass only the Lambda role.
   */
  private createDeployRole(names: ModelDeployNames, prefix: string): iam.Role {
    const arn = (service: string, resource: string) => `arn:${Aws.PARTITION}:${service}:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const role = serviceRole(this, 'DeployRole', names.deployRole, 'cloudformation.amazonaws.com',
      'Deploys the staging and prod inference stacks (API Gateway, Lambda, logs, alarms)');
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
          'lambda:GetFunctionCodeSigningConfig', 'lambda:PublishVersion',
        ],
        resources: [arn('lambda', `function:${prefix}*`)],
      }),
      new iam.PolicyStatement({
        sid: 'PullTheInferenceImage',
        actions: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:DescribeImages', 'ecr:GetRepositoryPolicy', 'ecr:SetRepositoryPolicy'],
        resources: [this.imageRepository.repositoryArn],
      }),
      new iam.PolicyStatement({
        sid: 'PassOnlyTheLambdaRole',
        actions: ['iam:PassRole'],
        resources: [this.lambdaExecutionRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      }),
      new iam.PolicyStatement({
        sid: 'ProjectLogGroups',
        actions: [
          'logs:CreateLogGroup', 'logs:DeleteLogGroup', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy',
          'logs:TagResource', 'logs:UntagResource', 'logs:ListTagsForResource', 'logs:PutLogGroupDeletionProtection',
          'logs:GetDataProtectionPolicy', 'logs:DescribeIndexPolicies',
        ],
        resources: [`/aws/lambda/${prefix}*`, `/aws/apigateway/${prefix}*`].flatMap((group) =>
          [arn('logs', `log-group:${group}`), arn('logs', `log-group:${group}:*`)]),
      }),
      // Access-log delivery and log group discovery have no resource-level permissions.
      new iam.PolicyStatement({
        sid: 'AccessLogDelivery',
        actions: [
          'logs:DescribeLogGroups', 'logs:CreateLogDelivery', 'logs:GetLogDelivery', 'logs:UpdateLogDelivery',
          'logs:DeleteLogDelivery', 'logs:ListLogDeliveries', 'logs:PutResourcePolicy', 'logs:DescribeResourcePolicies',
          'logs:DeleteResourcePolicy',
        ],
        resources: ['*'],
      }),
      new iam.PolicyStatement({
        sid: 'ProjectAlarms',
        actions: [
          'cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:DescribeAlarms',
          'cloudwatch:TagResource', 'cloudwatch:UntagResource', 'cloudwatch:ListTagsForResource',
        ],
        resources: [arn('cloudwatch', `alarm:${prefix}*`)],
      }),
    ];
    statements.forEach((s) => role.addToPolicy(s));
    return role;
  }
}
