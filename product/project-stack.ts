import * as path from 'path';
import { CfnOutput, CfnParameter, CfnParameterProps, CfnRule, Duration, Fn, Tags } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { ServerSideEncryption } from 'aws-cdk-lib/aws-s3-deployment';
import * as servicecatalog from 'aws-cdk-lib/aws-servicecatalog';
import { Construct } from 'constructs';
import { DEFAULT_PROJECT_SETTINGS, ProjectSettings, SourceSettings } from './portfolio-config';
import { DEFAULT_SOURCE } from './portfolio-config-schema';
import { accountPolicyArn } from './portfolio-names';
import { RETAINED_PRIVATE_BUCKET } from './retained-bucket';
import {
  CONNECTION_ARN_PARAMETER, CONNECTION_ARN_PATTERN, GIT_BRANCH_MAX_LENGTH, GIT_BRANCH_PARAMETER, GIT_BRANCH_PATTERN,
  MODEL_BUILD_REPOSITORY_PARAMETER, MODEL_DEPLOY_REPOSITORY_PARAMETER, REPOSITORY_ID_MAX_LENGTH, REPOSITORY_ID_PATTERN,
  PROJECT_ID_PARAMETER, PROJECT_ID_PATTERN, PROJECT_ID_LENGTH, PROJECT_ID_TAG, PROJECT_NAME_MAX_LENGTH,
  PROJECT_NAME_PARAMETER, PROJECT_NAME_PATTERN, PROJECT_NAME_TAG, ProjectIdentity, projectName, ProjectNameKey, projectResourcePrefix,
} from './sagemaker-project';
import { ConnectionSource } from '../pipelines/connection-source';
import { IDeployTarget } from '../pipelines/deploy-target';
import { LambdaServiceTarget } from '../pipelines/lambda-service-target';
import { ModelBuildPipeline } from '../pipelines/model-build-pipeline';
import { ModelDeployPipeline } from '../pipelines/model-deploy-pipeline';
import { ProjectContext, serviceRole } from '../pipelines/project-context';
import { ProjectNotifications } from '../pipelines/project-notifications';
import { SageMakerEndpointTarget } from '../pipelines/sagemaker-endpoint-target';
import { CodeCommitSource } from '../pipelines/seed-repository';
import { ISourceProvider } from '../pipelines/source-repository';

/** The seed repos are loaded by path as assets, never imported. */
const SEED_REPOS_DIR = path.join(__dirname, '..', 'seed-repos');

/** Where a product serves the approved model; each is published as its own product. */
export enum ModelDeployment {
  /** API Gateway HTTP API + Lambda container image (seed-repos/model-deploy). */
  LAMBDA_SERVICE = 'lambda-service',
  /** SageMaker serverless or real-time endpoint (seed-repos/model-deploy-endpoint). */
  SAGEMAKER_ENDPOINT = 'sagemaker-endpoint',
}

const DEPLOYMENT_SEEDS: Record<ModelDeployment, { seed: string; description: string }> = {
  [ModelDeployment.LAMBDA_SERVICE]: { seed: 'model-deploy', description: 'serverless inference: API Gateway + Lambda' },
  [ModelDeployment.SAGEMAKER_ENDPOINT]: { seed: 'model-deploy-endpoint', description: 'SageMaker serverless or real-time endpoint' },
};

export interface SageMakerProjectStackProps {
  /**
   * Where the approved model is served.
   * @default ModelDeployment.LAMBDA_SERVICE
   */
  readonly deployment?: ModelDeployment;
  /** Bucket with a literal `sagemaker-` name that holds the product's file assets (the seed repos). */
  readonly assetBucket: s3.IBucket;
  /** Name of the portfolio's permissions boundary policy, which every project role carries. */
  readonly permissionsBoundaryName: string;
  /** Extra tags from the portfolio configuration, added to every resource a launch creates. */
  readonly extraTags?: Readonly<Record<string, string>>;
  /**
   * Retention and clean-up settings from the portfolio configuration.
   * @default DEFAULT_PROJECT_SETTINGS
   */
  readonly settings?: ProjectSettings;
  /**
   * Where the repositories are hosted.
   * @default - CodeCommit repositories created by each launch
   */
  readonly source?: SourceSettings;
}

/**
 * Everything one Studio launch provisions. Deployed later by Service Catalog as its own stack,
 * so it holds no references to the portfolio stack: shared things are rebuilt from fixed names.
 */
export class SageMakerProjectStack extends servicecatalog.ProductStack {
  /** Name and id as CloudFormation parameter references. */
  readonly project: ProjectIdentity;
  readonly artifactBucket: s3.Bucket;
  /** Every role this project creates must carry it; the launch role refuses to create roles without it. */
  readonly permissionsBoundary: iam.IManagedPolicy;
  readonly modelBuild: ModelBuildPipeline;
  readonly modelDeploy: ModelDeployPipeline;
  readonly deployment: ModelDeployment;
  readonly deployTarget: IDeployTarget;
  readonly notifications: ProjectNotifications;
  /** The repositories' source: CodeCommit, or a connection whose seed check-in this stack holds. */
  readonly source: ISourceProvider;

  constructor(scope: Construct, id: string, props: SageMakerProjectStackProps) {
    const deployment = props.deployment ?? ModelDeployment.LAMBDA_SERVICE;
    const settings = props.settings ?? DEFAULT_PROJECT_SETTINGS;
    super(scope, id, {
      assetBucket: props.assetBucket,
      serverSideEncryption: ServerSideEncryption.AES_256,
      description: `SageMaker project: ModelBuild and ModelDeploy (${DEPLOYMENT_SEEDS[deployment].description}) repos, pipelines and roles`,
      // Launched by Service Catalog with the narrow launch role: keep the template to the project's own resources.
      analyticsReporting: false,
    });

    const nameParameter = new CfnParameter(this, PROJECT_NAME_PARAMETER, {
      type: 'String',
      description: 'Name of the project (filled by SageMaker Studio)',
      allowedPattern: PROJECT_NAME_PATTERN,
      minLength: 1,
      maxLength: PROJECT_NAME_MAX_LENGTH,
    });
    const idParameter = new CfnParameter(this, PROJECT_ID_PARAMETER, {
      type: 'String',
      description: 'Service-generated id of the project (filled by SageMaker Studio)',
      allowedPattern: PROJECT_ID_PATTERN,
      minLength: PROJECT_ID_LENGTH,
      maxLength: PROJECT_ID_LENGTH,
    });
    // CDK would otherwise derive logical ids with a suffix; Studio fills parameters by these exact names.
    nameParameter.overrideLogicalId(PROJECT_NAME_PARAMETER);
    idParameter.overrideLogicalId(PROJECT_ID_PARAMETER);
    this.project = { projectName: nameParameter.valueAsString, projectId: idParameter.valueAsString };
    this.deployment = deployment;

    this.permissionsBoundary = iam.ManagedPolicy.fromManagedPolicyArn(this, 'PermissionsBoundary',
      accountPolicyArn(props.permissionsBoundaryName));
    iam.PermissionsBoundary.of(this).apply(this.permissionsBoundary);

    this.artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      // Retained: models and training data outlive the project.
      ...RETAINED_PRIVATE_BUCKET,
      bucketName: projectName('artifactBucket', this.project),
      lifecycleRules: [{
        id: 'ExpireReplacedVersions',
        noncurrentVersionExpiration: Duration.days(settings.noncurrentVersionExpirationDays),
        abortIncompleteMultipartUploadAfter: Duration.days(7),
      }],
    });

    // Object events to EventBridge (Control Tower CT.S3.PR.4): the platform team can alert on writes to
    // project data. Set on the L1: the L2's eventBridgeEnabled adds a custom-resource Lambda.
    (this.artifactBucket.node.defaultChild as s3.CfnBucket).notificationConfiguration = {
      eventBridgeConfiguration: { eventBridgeEnabled: true },
    };

    const context: ProjectContext = { ...this.project, artifactBucket: this.artifactBucket };
    const name = (key: ProjectNameKey) => projectName(key, this.project);
    this.source = (props.source ?? DEFAULT_SOURCE).provider === 'codeconnections'
      ? this.connectionSource(props.source!, name)
      : new CodeCommitSource();
    this.notifications = new ProjectNotifications(this, 'Notifications', {
      topic: name('notificationTopic'),
      pipelineFailedRule: name('pipelineFailedRule'),
      approvalNeededRule: name('approvalNeededRule'),
      modelRegisteredRule: name('modelRegisteredRule'),
    });
    const eventsRole = serviceRole(this, 'EventsRole', name('eventsRole'), 'events.amazonaws.com',
      'Lets EventBridge start the project\'s pipelines');

    this.modelBuild = new ModelBuildPipeline(this, 'ModelBuild', {
      project: context,
      seedDirectory: path.join(SEED_REPOS_DIR, 'model-build'),
      source: this.source,
      eventsRole,
      names: {
        repository: name('modelBuildRepository'),
        buildProject: name('modelBuildProject'),
        pipeline: name('modelBuildPipeline'),
        sageMakerPipeline: name('sageMakerPipeline'),
        modelPackageGroup: name('modelPackageGroup'),
        triggerRule: name('modelBuildTriggerRule'),
        buildRole: name('modelBuildRole'),
        pipelineRole: name('modelBuildPipelineRole'),
        executionRole: name('pipelineExecutionRole'),
      },
    });

    const resourcePrefix = projectResourcePrefix(this.project.projectId);
    this.deployTarget = deployment === ModelDeployment.SAGEMAKER_ENDPOINT
      ? new SageMakerEndpointTarget({ modelExecutionRoleName: name('endpointModelRole'), resourcePrefix })
      : new LambdaServiceTarget({
        imageRepositoryName: name('inferenceRepository'),
        lambdaExecutionRoleName: name('lambdaExecutionRole'),
        resourcePrefix,
        maxImageCount: settings.maxImageCount,
        deleteImagesWithProject: settings.deleteImagesWithProject,
      });
    this.modelDeploy = new ModelDeployPipeline(this, 'ModelDeploy', {
      project: context,
      target: this.deployTarget,
      seedDirectory: path.join(SEED_REPOS_DIR, DEPLOYMENT_SEEDS[deployment].seed),
      source: this.source,
      modelPackageGroupName: this.modelBuild.modelPackageGroup.modelPackageGroupName,
      notificationTopic: this.notifications.topic,
      eventsRole,
      names: {
        repository: name('modelDeployRepository'),
        buildProject: name('modelDeployProject'),
        testProject: name('modelDeployTestProject'),
        promoteProject: name('modelDeployPromoteProject'),
        pipeline: name('modelDeployPipeline'),
        stagingStack: name('stagingStack'),
        prodStack: name('prodStack'),
        pushTriggerRule: name('modelDeployTriggerRule'),
        modelApprovedRule: name('modelApprovedRule'),
        buildRole: name('modelDeployBuildRole'),
        testRole: name('modelDeployTestRole'),
        promoteRole: name('modelDeployPromoteRole'),
        pipelineRole: name('modelDeployPipelineRole'),
        deployRole: name('cloudFormationDeployRole'),
      },
    });

    this.notifications.announce({
      pipelines: [this.modelBuild.pipeline, this.modelDeploy.pipeline],
      modelPackageGroupName: this.modelBuild.modelPackageGroup.modelPackageGroupName,
    });

    new CfnOutput(this, 'ArtifactBucketName', {
      description: 'Project bucket for pipeline artifacts, training data and models',
      value: this.artifactBucket.bucketName,
    });
    new CfnOutput(this, 'ModelBuildRepositoryName', { value: this.modelBuild.repository.repositoryName });
    if (this.modelBuild.repository.cloneUrl) {
      new CfnOutput(this, 'ModelBuildRepositoryCloneUrl', { value: this.modelBuild.repository.cloneUrl });
    }
    new CfnOutput(this, 'ModelBuildPipelineName', { value: this.modelBuild.pipeline.pipelineName });
    new CfnOutput(this, 'ModelPackageGroupName', { value: this.modelBuild.modelPackageGroup.modelPackageGroupName });
    new CfnOutput(this, 'ModelDeployRepositoryName', { value: this.modelDeploy.repository.repositoryName });
    if (this.modelDeploy.repository.cloneUrl) {
      new CfnOutput(this, 'ModelDeployRepositoryCloneUrl', { value: this.modelDeploy.repository.cloneUrl });
    }
    new CfnOutput(this, 'ModelDeployPipelineName', { value: this.modelDeploy.pipeline.pipelineName });
    if (this.deployTarget instanceof LambdaServiceTarget && this.deployTarget.imageRepository) {
      new CfnOutput(this, 'InferenceImageRepositoryUri', { value: this.deployTarget.imageRepository.repositoryUri });
    }
    new CfnOutput(this, 'NotificationTopicArn', {
      description: 'Alarms, failed pipeline runs, pending approvals and registered models are published here',
      value: this.notifications.topic.topicArn,
    });
    new CfnOutput(this, 'PermissionsBoundaryName', {
      description: 'Permissions boundary every project role carries',
      value: props.permissionsBoundaryName,
    });

    Tags.of(this).add(PROJECT_NAME_TAG, this.project.projectName);
    Tags.of(this).add(PROJECT_ID_TAG, this.project.projectId);
    for (const [key, value] of Object.entries(props.extraTags ?? {})) {
      Tags.of(this).add(key, value);
    }
  }
  /**
   * The launch fields of a connection source, each pattern-checked by CloudFormation before anything is created,
   * and the source built from them.
   */
  private connectionSource(source: SourceSettings, name: (key: ProjectNameKey) => string): ConnectionSource {
    const parameter = (id: string, props: CfnParameterProps) => {
      const created = new CfnParameter(this, id, { type: 'String', ...props });
      // Studio fills and shows parameters by these exact names.
      created.overrideLogicalId(id);
      return created.valueAsString;
    };
    const repository = (side: string) => ({
      description: `${side} repository (owner/name, e.g. my-org/churn-${side.toLowerCase()}); it must exist. An empty one gets the seed code`,
      allowedPattern: REPOSITORY_ID_PATTERN,
      maxLength: REPOSITORY_ID_MAX_LENGTH,
      constraintDescription: 'must be owner/name, e.g. my-org/churn-modelbuild',
    });
    const modelBuildRepository = parameter(MODEL_BUILD_REPOSITORY_PARAMETER, repository('ModelBuild'));
    const modelDeployRepository = parameter(MODEL_DEPLOY_REPOSITORY_PARAMETER, repository('ModelDeploy'));
    // One repository for both sides would get two concurrent seed check-ins and a ModelDeploy pipeline building
    // the ModelBuild seed: refused before anything is created (a template rule, checked at launch).
    new CfnRule(this, 'DistinctRepositories', {
      assertions: [{
        assert: Fn.conditionNot(Fn.conditionEquals(modelBuildRepository, modelDeployRepository)),
        assertDescription: `${MODEL_BUILD_REPOSITORY_PARAMETER} and ${MODEL_DEPLOY_REPOSITORY_PARAMETER} must be two different repositories`,
      }],
    });
    return new ConnectionSource({
      connectionArn: parameter(CONNECTION_ARN_PARAMETER, {
        description: 'ARN of the CodeConnections connection to GitHub, GitLab or Bitbucket (Developer Tools console -> Settings -> Connections)',
        allowedPattern: CONNECTION_ARN_PATTERN,
        constraintDescription: 'must be a connection ARN, arn:aws:codeconnections:<region>:<account>:connection/<id> '
          + '(or arn:aws:codestar-connections:... for connections created before July 2024)',
        default: source.connectionArn,
      }),
      repositoryIds: { modelBuild: modelBuildRepository, modelDeploy: modelDeployRepository },
      branch: parameter(GIT_BRANCH_PARAMETER, {
        description: 'Branch the pipelines build; an empty repository gets the seed code on it',
        allowedPattern: GIT_BRANCH_PATTERN,
        maxLength: GIT_BRANCH_MAX_LENGTH,
        constraintDescription: 'must be a branch name such as main',
        default: source.branch,
      }),
      seedCheckinNames: {
        buildProject: name('seedCheckinProject'),
        buildRole: name('seedCheckinRole'),
        triggerFunction: name('seedTriggerFunction'),
        triggerRole: name('seedTriggerRole'),
      },
    });
  }
}
