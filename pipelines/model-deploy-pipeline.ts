import { Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { DeployTargetBinding, IDeployTarget } from './deploy-target';
import { BUILD_ENVIRONMENT, ProjectContext, buildLogGroup, buildProjectDefaults, projectPipeline, regionalArn, serviceRole } from './project-context';
import { CodeCommitSource } from './seed-repository';
import { ISourceProvider, SourceRepository } from './source-repository';
import { StackDeployAction } from './stack-deploy-action';

/** Template configurations every deploy seed's buildspec writes next to its template. */
export const DEPLOY_CONFIG_FILES = {
  staging: 'staging-config-export.json',
  prod: 'prod-config-export.json',
} as const;

/**
 * Pipeline variable (CodePipeline V2) naming the Approved model package version to deploy, for a
 * rollback in one command (`start-pipeline-execution --variables name=MODEL_PACKAGE_VERSION,value=3`);
 * `latest` (the default, and what push and approval events use) deploys the newest Approved version.
 */
export const MODEL_VERSION_VARIABLE = new codepipeline.Variable({
  variableName: 'MODEL_PACKAGE_VERSION',
  defaultValue: 'latest',
  description: 'Approved model package version to deploy (a rollback), or latest',
});

/** Namespace of the Build action's exported variables. */
const BUILD_VARIABLES_NAMESPACE = 'Build';

/** Physical names of everything the ModelDeploy pipeline creates (resolved by the project stack). */
export interface ModelDeployNames {
  readonly repository: string;
  readonly buildProject: string;
  readonly testProject: string;
  /** CodeBuild project of the target's step after DeployProd, if it has one. */
  readonly promoteProject: string;
  readonly pipeline: string;
  readonly stagingStack: string;
  readonly prodStack: string;
  readonly pushTriggerRule: string;
  readonly modelApprovedRule: string;
  readonly buildRole: string;
  readonly testRole: string;
  readonly promoteRole: string;
  readonly pipelineRole: string;
  readonly deployRole: string;
}

export interface ModelDeployPipelineProps {
  readonly project: ProjectContext;
  readonly names: ModelDeployNames;
  /** Where the model is served; creates the target's resources and scopes the pipeline roles to it. */
  readonly target: IDeployTarget;
  /** Folder seeded into the ModelDeploy repo. */
  readonly seedDirectory: string;
  /**
   * Where the repository is hosted.
   * @default CodeCommitSource (a CodeCommit repository per launch)
   */
  readonly source?: ISourceProvider;
  /** The model package group whose approved versions are deployed. */
  readonly modelPackageGroupName: string;
  /** Role EventBridge uses to start the project's pipelines. */
  readonly eventsRole: iam.IRole;
  /** The project's notification topic: the deploy stacks' alarms publish to it. */
  readonly notificationTopic: sns.ITopic;
}

/**
 * ModelDeploy: a repo seeded with the deploy code, a build that resolves the newest approved model
 * and exports one template with a configuration per stage, and a CodePipeline (V2)
 * Source → Build → DeployStaging → TestStaging → ApproveProd → DeployProd. Each role is scoped to
 * its step; the target decides what the deploy stacks contain and grants exactly that.
 */
export class ModelDeployPipeline extends Construct {
  readonly repository: SourceRepository;
  readonly buildRole: iam.Role;
  readonly testRole: iam.Role;
  readonly deployRole: iam.Role;
  readonly buildProject: codebuild.PipelineProject;
  readonly testProject: codebuild.PipelineProject;
  /** Log groups of the build, the staging test and the prod promotion step. */
  readonly buildLogGroups: logs.LogGroup[];
  /** The target's step after DeployProd (Lambda: tags the image prod runs), if it has one. */
  readonly promoteProject?: codebuild.PipelineProject;
  readonly pipeline: codepipeline.Pipeline;
  readonly binding: DeployTargetBinding;

  constructor(scope: Construct, id: string, props: ModelDeployPipelineProps) {
    super(scope, id);
    const { project, names, target } = props;

    this.repository = (props.source ?? new CodeCommitSource()).repository(this, 'Repository', {
      role: 'modelDeploy',
      repositoryName: names.repository,
      description: `ModelDeploy code of SageMaker project ${project.projectName} (${target.description})`,
      seedDirectory: props.seedDirectory,
    });

    this.buildRole = serviceRole(this, 'BuildRole', names.buildRole, 'codebuild.amazonaws.com',
      'Resolves the newest approved model, builds the deploy artifacts and exports the deploy template');
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
      resources: [regionalArn('sagemaker', `model-package/*-${project.projectId}/*`), regionalArn('sagemaker', `model-package-group/*-${project.projectId}`)],
    }));
    this.testRole = serviceRole(this, 'TestRole', names.testRole, 'codebuild.amazonaws.com',
      'Runs the smoke test against the staging deployment');
    project.artifactBucket.grantRead(this.testRole);
    this.deployRole = serviceRole(this, 'DeployRole', names.deployRole, 'cloudformation.amazonaws.com',
      `Deploys the staging and prod stacks (${target.description})`);

    this.binding = target.bind(this, project, { build: this.buildRole, test: this.testRole, deploy: this.deployRole });

    const plain = (vars: Record<string, string>) =>
      Object.fromEntries(Object.entries(vars).map(([name, value]) => [name, { value }]));
    const buildLogs = buildLogGroup(this, 'BuildLogs', names.buildProject);
    const testLogs = buildLogGroup(this, 'TestStagingLogs', names.testProject);
    this.buildLogGroups = [buildLogs, testLogs];
    this.buildProject = new codebuild.PipelineProject(this, 'Build', {
      projectName: names.buildProject,
      description: `Tests the ModelDeploy code and builds the deployment of the newest approved model (${target.description})`,
      role: this.buildRole,
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml'),
      timeout: Duration.minutes(30),
      ...buildProjectDefaults(buildLogs),
      environment: { ...BUILD_ENVIRONMENT, privileged: this.binding.privilegedBuild },
      environmentVariables: plain({
        SAGEMAKER_PROJECT_NAME: project.projectName,
        SAGEMAKER_PROJECT_ID: project.projectId,
        SAGEMAKER_PROJECT_ARN: regionalArn('sagemaker', `project/${project.projectName}`),
        ARTIFACT_BUCKET: project.artifactBucket.bucketName,
        SOURCE_MODEL_PACKAGE_GROUP_NAME: props.modelPackageGroupName,
        EXPORT_TEMPLATE_NAME: this.binding.exportTemplateName,
        EXPORT_TEMPLATE_STAGING_CONFIG: DEPLOY_CONFIG_FILES.staging,
        EXPORT_TEMPLATE_PROD_CONFIG: DEPLOY_CONFIG_FILES.prod,
        // The deploy seeds' NotificationTopicArn parameter: every alarm of both stages acts on it.
        NOTIFICATION_TOPIC_ARN: props.notificationTopic.topicArn,
        ...this.binding.buildEnvironment,
      }),
    });
    this.testProject = new codebuild.PipelineProject(this, 'TestStaging', {
      projectName: names.testProject,
      description: 'Smoke test of the staging deployment with good and bad requests',
      role: this.testRole,
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec-staging-test.yml'),
      timeout: Duration.minutes(15),
      ...buildProjectDefaults(testLogs),
    });

    const promotion = this.binding.prodPromotion;
    if (promotion) {
      const promoteRole = serviceRole(this, 'PromoteRole', names.promoteRole, 'codebuild.amazonaws.com',
        'Marks what prod runs after each prod deployment');
      promotion.grant(promoteRole);
      const promoteLogs = buildLogGroup(this, 'PromoteLogs', names.promoteProject);
      this.buildLogGroups.push(promoteLogs);
      this.promoteProject = new codebuild.PipelineProject(this, 'Promote', {
        projectName: names.promoteProject,
        description: 'Marks what prod runs after each prod deployment',
        role: promoteRole,
        buildSpec: codebuild.BuildSpec.fromSourceFilename(promotion.buildspec),
        timeout: Duration.minutes(10),
        ...buildProjectDefaults(promoteLogs),
        environmentVariables: plain(promotion.environment),
      });
    }

    const pipelineRole = serviceRole(this, 'PipelineRole', names.pipelineRole, 'codepipeline.amazonaws.com',
      'Runs the ModelDeploy CodePipeline');
    const source = new codepipeline.Artifact('Source');
    const built = new codepipeline.Artifact('Build');
    const deploy = (stage: 'Staging' | 'Prod', stackName: string, config: string) => new StackDeployAction({
      actionName: `Deploy${stage}`,
      stackName,
      templatePath: built.atPath(this.binding.exportTemplateName),
      templateConfiguration: built.atPath(config),
      adminPermissions: false,
      deploymentRole: this.deployRole,
      // Staging: a failed stack (ROLLBACK_COMPLETE after a failed first create) is replaced instead of
      // blocking every later run. Prod is never replaced: REPLACE_ON_FAILURE would delete a prod stack in
      // UPDATE_ROLLBACK_FAILED and recreate it with a new API and URL. The pipeline role is not even
      // allowed to delete it (see StackDeployAction).
      replaceOnFailure: stage === 'Staging',
      variablesNamespace: `Deploy${stage}`,
    });
    const deployStaging = deploy('Staging', names.stagingStack, DEPLOY_CONFIG_FILES.staging);
    const testInput = this.binding.stagingTestInput;

    this.pipeline = projectPipeline(this, 'Pipeline', names.pipeline, pipelineRole, project, [
      {
        stageName: 'Source',
        actions: [this.repository.sourceAction('ModelDeployCode', source)],
      },
      {
        stageName: 'Build',
        actions: [new actions.CodeBuildAction({
          actionName: 'BuildDeployment',
          project: this.buildProject,
          input: source,
          outputs: [built],
          // The buildspec's exported variables (IMAGE_TAG) reach later actions as #{Build.<name>}.
          variablesNamespace: BUILD_VARIABLES_NAMESPACE,
          environmentVariables: { [MODEL_VERSION_VARIABLE.variableName]: { value: MODEL_VERSION_VARIABLE.reference() } },
        })],
      },
      { stageName: 'DeployStaging', actions: [deployStaging] },
      {
        stageName: 'TestStaging',
        actions: [new actions.CodeBuildAction({
          actionName: 'SmokeTestStaging',
          project: this.testProject,
          input: source,
          // The build's output (the deployed model's transform.json, its input contract) as a secondary
          // source: CodeBuild puts it at $CODEBUILD_SRC_DIR_Build (CodePipeline user guide, "CodeBuild
          // action reference": secondary inputs are CODEBUILD_SRC_DIR_<artifact name>).
          extraInputs: [built],
          // Stack outputs of a CloudFormation action are variables of its namespace.
          environmentVariables: {
            [testInput.variable]: { value: `#{${deployStaging.actionProperties.variablesNamespace}.${testInput.output}}` },
          },
        })],
      },
      {
        stageName: 'ApproveProd',
        actions: [new actions.ManualApprovalAction({
          actionName: 'ApproveProdDeployment',
          additionalInformation: 'Staging passed its smoke test. Approve to deploy this model version to prod.',
        })],
      },
      {
        stageName: 'DeployProd',
        actions: [
          deploy('Prod', names.prodStack, DEPLOY_CONFIG_FILES.prod),
          ...(promotion && this.promoteProject ? [new actions.CodeBuildAction({
            actionName: 'MarkProdRelease',
            project: this.promoteProject,
            input: source,
            runOrder: 2,
            environmentVariables: Object.fromEntries(promotion.buildVariables.map((name) =>
              [name, { value: `#{${BUILD_VARIABLES_NAMESPACE}.${name}}` }])),
          })] : []),
        ],
      },
    ], [MODEL_VERSION_VARIABLE]);

    this.repository.startOnPush(this.pipeline, names.pushTriggerRule, props.eventsRole);
    new events.Rule(this, 'OnModelApproved', {
      ruleName: names.modelApprovedRule,
      description: `Starts ${names.pipeline} when a model version in ${props.modelPackageGroupName} is approved`,
      eventPattern: {
        source: ['aws.sagemaker'],
        detailType: ['SageMaker Model Package State Change'],
        detail: { ModelPackageGroupName: [props.modelPackageGroupName], ModelApprovalStatus: ['Approved'] },
      },
      targets: [new targets.CodePipeline(this.pipeline, { eventRole: props.eventsRole })],
    });
  }
}
