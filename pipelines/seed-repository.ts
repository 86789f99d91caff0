import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { ISourceProvider, SourceRepository, SourceRepositoryProps } from './source-repository';
import { trackedSeedCopy } from './tracked-seed-files';

/** The branch the seed is committed to; the pipelines build from it. */
export const SEED_BRANCH = 'main';

export interface SeedRepositoryProps {
  readonly repositoryName: string;
  readonly description: string;
  /** Folder whose git-tracked files become the first commit. */
  readonly seedDirectory: string;
}

/** A CodeCommit repository whose first commit on `main` is a seed folder of this project. */
export class SeedRepository extends Construct implements SourceRepository {
  readonly repository: codecommit.Repository;
  readonly seed: Asset;
  readonly repositoryName: string;
  readonly cloneUrl: string;

  constructor(scope: Construct, id: string, props: SeedRepositoryProps) {
    super(scope, id);
    this.seed = new Asset(this, 'Seed', { path: trackedSeedCopy(props.seedDirectory) });
    this.repository = new codecommit.Repository(this, 'Resource', {
      repositoryName: props.repositoryName,
      description: props.description,
      code: codecommit.Code.fromAsset(this.seed, SEED_BRANCH),
    });
    this.repositoryName = this.repository.repositoryName;
    this.cloneUrl = this.repository.repositoryCloneUrlHttp;
  }

  /** The pipeline's Source action on `main`; pushes start the pipeline through {@link startOnPush}, not polling. */
  sourceAction(actionName: string, output: codepipeline.Artifact): actions.CodeCommitSourceAction {
    return new actions.CodeCommitSourceAction({
      actionName, repository: this.repository, branch: SEED_BRANCH, output, trigger: actions.CodeCommitTrigger.NONE,
    });
  }

  /**
   * Starts `pipeline` on every push to `main`. A named rule (not the source action's EVENTS trigger)
   * so that the launch role's `sagemaker-p-*` scope covers it.
   */
  startOnPush(pipeline: codepipeline.IPipeline, ruleName: string, eventsRole: iam.IRole): void {
    new events.Rule(this, 'OnPushToMain', {
      ruleName,
      description: `Starts ${pipeline.pipelineName} on every push to ${SEED_BRANCH}`,
      eventPattern: {
        source: ['aws.codecommit'],
        detailType: ['CodeCommit Repository State Change'],
        resources: [this.repository.repositoryArn],
        detail: { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: [SEED_BRANCH] },
      },
      targets: [new targets.CodePipeline(pipeline, { eventRole: eventsRole })],
    });
  }
}

/** The default source: each launch creates its two CodeCommit repositories, seeded on `main`. */
export class CodeCommitSource implements ISourceProvider {
  repository(scope: Construct, id: string, props: SourceRepositoryProps): SeedRepository {
    return new SeedRepository(scope, id, props);
  }
}
