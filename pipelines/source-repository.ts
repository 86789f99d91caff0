import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { SeedCheckin } from './seed-checkin';

/** Which side of the project a repository holds. */
export type RepositoryRole = 'modelBuild' | 'modelDeploy';

/** What a pipeline needs to create the repository it builds from. */
export interface SourceRepositoryProps {
  readonly role: RepositoryRole;
  /** Physical name (CodeCommit creates a repository of this name; a connection's repositories already have theirs). */
  readonly repositoryName: string;
  readonly description: string;
  /** Folder whose git-tracked files become the repository's first commit when it has none. */
  readonly seedDirectory: string;
}

/**
 * The repository a pipeline builds from, wherever it is hosted: the pipelines use it only through
 * this interface, so CodeCommit and CodeConnections share one code path.
 */
export interface SourceRepository {
  /** How a person names the repository (CodeCommit name, or owner/name). */
  readonly repositoryName: string;
  /** The HTTPS clone URL, when the template can know it. */
  readonly cloneUrl?: string;
  /** The pipeline's Source action on the project branch. */
  sourceAction(actionName: string, output: codepipeline.Artifact): codepipeline.IAction;
  /** Starts `pipeline` on every push to the project branch (after the pipeline has its stages). */
  startOnPush(pipeline: codepipeline.Pipeline, ruleName: string, eventsRole: iam.IRole): void;
}

/** Where a product's repositories are hosted: creates each pipeline's repository. */
export interface ISourceProvider {
  /** The launch-time seeding of repositories the template does not create (connections); none for CodeCommit. */
  readonly seedCheckin?: SeedCheckin;
  repository(scope: Construct, id: string, props: SourceRepositoryProps): SourceRepository;
}
