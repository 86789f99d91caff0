import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';

/** What never belongs in a seeded repo: dependencies, virtualenvs, caches and build output. */
export const SEED_EXCLUDES = [
  '**/node_modules', '**/.venv', '**/venv', '**/__pycache__', '**/.pytest_cache', '**/*.pyc',
  '**/cdk.out', '**/build', '**/dist', '**/coverage', '**/test-reports', '**/.DS_Store',
  'service/model/*', '!service/model/README.md',
];

/** The branch the seed is committed to; the pipelines build from it. */
export const SEED_BRANCH = 'main';

export interface SeedRepositoryProps {
  readonly repositoryName: string;
  readonly description: string;
  /** Folder whose contents become the first commit. */
  readonly seedDirectory: string;
}

/** A CodeCommit repository whose first commit on `main` is a seed folder of this project. */
export class SeedRepository extends Construct {
  readonly repository: codecommit.Repository;
  readonly seed: Asset;

  constructor(scope: Construct, id: string, props: SeedRepositoryProps) {
    super(scope, id);
    this.seed = new Asset(this, 'Seed', { path: props.seedDirectory, exclude: SEED_EXCLUDES });
    this.repository = new codecommit.Repository(this, 'Resource', {
      repositoryName: props.repositoryName,
      description: props.description,
      code: codecommit.Code.fromAsset(this.seed, SEED_BRANCH),
    });
  }
}
