import { CustomResource } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { repositoryConditions, SeedCheckin, SeedCheckinNames, USE_CONNECTION_ACTIONS } from './seed-checkin';
import { ISourceProvider, RepositoryRole, SourceRepository, SourceRepositoryProps } from './source-repository';

export interface ConnectionSourceProps {
  /** The CodeConnections (or CodeStar Connections) connection ARN: a launch parameter. */
  readonly connectionArn: string;
  /** owner/name of each repository: launch parameters. */
  readonly repositoryIds: Readonly<Record<RepositoryRole, string>>;
  /** The branch the pipelines build and the seed is committed to. */
  readonly branch: string;
  readonly seedCheckinNames: SeedCheckinNames;
}

/**
 * Repositories on GitHub, GitHub Enterprise Server, GitLab or Bitbucket, reached through a
 * CodeConnections connection: nothing is created on the provider's side, an empty repository is
 * seeded once at launch (see {@link SeedCheckin}), and the pipelines start on pushes to the branch
 * through CodePipeline V2 triggers (no EventBridge rule).
 */
export class ConnectionSource implements ISourceProvider {
  private checkin?: SeedCheckin;

  constructor(private readonly props: ConnectionSourceProps) {}

  repository(scope: Construct, id: string, props: SourceRepositoryProps): ConnectionRepository {
    // One check-in build and function per project, created beside the first repository's pipeline.
    this.checkin ??= new SeedCheckin(scope, 'SeedCheckin', {
      connectionArn: this.props.connectionArn,
      branch: this.props.branch,
      repositoryIds: Object.values(this.props.repositoryIds),
      names: this.props.seedCheckinNames,
    });
    return new ConnectionRepository(scope, id, {
      connectionArn: this.props.connectionArn,
      repositoryId: this.props.repositoryIds[props.role],
      branch: this.props.branch,
      checkin: this.checkin,
      seedDirectory: props.seedDirectory,
    });
  }

  /** The seeding build and function, once a repository has been created. */
  get seedCheckin(): SeedCheckin | undefined {
    return this.checkin;
  }
}

export interface ConnectionRepositoryProps {
  readonly connectionArn: string;
  readonly repositoryId: string;
  readonly branch: string;
  readonly checkin: SeedCheckin;
  readonly seedDirectory: string;
}

/** One repository behind a connection, seeded at launch when it has no commit. */
export class ConnectionRepository extends Construct implements SourceRepository {
  readonly repositoryName: string;
  readonly cloneUrl = undefined;
  /** The custom resource that seeds the repository; the pipeline is created after it, so its first run finds the seed. */
  readonly seed: CustomResource;
  private action?: ConnectionSourceAction;

  constructor(scope: Construct, id: string, private readonly props: ConnectionRepositoryProps) {
    super(scope, id);
    this.repositoryName = props.repositoryId;
    this.seed = props.checkin.seed(this, 'Seed', props.repositoryId, props.seedDirectory);
  }

  sourceAction(actionName: string, output: codepipeline.Artifact): codepipeline.IAction {
    this.action = new ConnectionSourceAction({
      actionName, output, connectionArn: this.props.connectionArn, repositoryId: this.props.repositoryId, branch: this.props.branch,
    });
    return this.action;
  }

  /**
   * A V2 trigger: pushes to the branch start the pipeline (CodePipeline user guide, "Filter triggers on code push
   * or pull requests"); CodePipeline subscribes to the connection's events itself, so no EventBridge rule or role.
   */
  startOnPush(pipeline: codepipeline.Pipeline): void {
    if (!this.action) throw new Error(`startOnPush: ${this.node.path} has no source action in ${pipeline.node.path}`);
    pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: { sourceAction: this.action, pushFilter: [{ branchesIncludes: [this.props.branch] }] },
    });
    pipeline.node.addDependency(this.seed);
  }
}

interface ConnectionSourceActionProps {
  readonly actionName: string;
  readonly output: codepipeline.Artifact;
  readonly connectionArn: string;
  readonly repositoryId: string;
  readonly branch: string;
}

/**
 * The CodeStarSourceConnection source action (CodePipeline user guide, "CodeStarSourceConnection for Bitbucket
 * Cloud, GitHub, GitHub Enterprise Server, GitLab.com, and GitLab self-managed actions"). Not CDK's
 * CodeStarConnectionsSourceAction: that one grants only the codestar-connections prefix, which matches no
 * connection created since July 2024, and on every repository of the connection. This one grants UseConnection
 * under both prefixes, on this repository only.
 */
class ConnectionSourceAction extends codepipeline.Action {
  protected readonly providedActionProperties: codepipeline.ActionProperties;

  constructor(private readonly props: ConnectionSourceActionProps) {
    super();
    this.providedActionProperties = {
      actionName: props.actionName,
      category: codepipeline.ActionCategory.SOURCE,
      owner: 'AWS',
      provider: 'CodeStarSourceConnection',
      artifactBounds: { minInputs: 0, maxInputs: 0, minOutputs: 1, maxOutputs: 1 },
      outputs: [props.output],
    };
  }

  protected bound(_scope: Construct, _stage: codepipeline.IStage, options: codepipeline.ActionBindOptions): codepipeline.ActionConfig {
    options.role.addToPrincipalPolicy(new iam.PolicyStatement({
      sid: 'ReadTheRepositoryThroughTheConnection',
      actions: USE_CONNECTION_ACTIONS,
      resources: [this.props.connectionArn],
      conditions: repositoryConditions([this.props.repositoryId]),
    }));
    // The action writes the source archive into the artifact store (what CDK's own connection action grants).
    options.bucket.grantReadWrite(options.role);
    options.bucket.grantPutAcl(options.role);
    return {
      configuration: {
        ConnectionArn: this.props.connectionArn,
        FullRepositoryId: this.props.repositoryId,
        BranchName: this.props.branch,
      },
    };
  }
}
