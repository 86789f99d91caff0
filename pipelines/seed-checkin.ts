import * as path from 'path';
import { Aws, CustomResource, Duration } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { Construct } from 'constructs';
import { buildLogGroup, buildProjectDefaults, projectLogGroup, serviceRole } from './project-context';
import { trackedSeedCopy } from './tracked-seed-files';

/** The check-in build's files (buildspec, scripts) and the custom resource's function, loaded by path as assets. */
const CHECKIN_DIR = path.join(__dirname, 'seed-checkin');

/** The custom resource type CloudFormation shows for each repository's seeding. */
export const SEED_CHECKIN_RESOURCE_TYPE = 'Custom::SeedCheckin';

/**
 * A connection's service prefix: codeconnections, or codestar-connections for connections created before the July 2024
 * rename. A policy must name the prefix of the connection's own ARN (CodeConnections user guide, "Connections rename").
 */
export const CONNECTION_SERVICES = ['codeconnections', 'codestar-connections'] as const;

/** The two UseConnection actions. */
export const USE_CONNECTION_ACTIONS = CONNECTION_SERVICES.map((service) => `${service}:UseConnection`);

/** UseConnection conditions limiting a grant to `repositoryIds` wherever the request names a repository, under both prefixes. */
export function repositoryConditions(repositoryIds: string[]): Record<string, Record<string, string[]>> {
  // IfExists: CodeConnections sets FullRepositoryId on requests "for access to a specific repository" (Service Authorization
  // Reference, AWS CodeConnections condition keys); calls that name no repository keep working.
  return {
    StringEqualsIfExists: Object.fromEntries(CONNECTION_SERVICES.map((service) => [`${service}:FullRepositoryId`, repositoryIds])),
  };
}

export interface SeedCheckinNames {
  readonly buildProject: string;
  readonly buildRole: string;
  readonly triggerFunction: string;
  readonly triggerRole: string;
}

export interface SeedCheckinProps {
  /** The project's connection (a launch parameter). */
  readonly connectionArn: string;
  /** The branch the pipelines build (a launch parameter). */
  readonly branch: string;
  /** Every repository this project may seed (owner/name, launch parameters): the build role can write to these only. */
  readonly repositoryIds: string[];
  readonly names: SeedCheckinNames;
}

/**
 * Seeds empty repositories reached through a CodeConnections connection, once, at launch.
 *
 * A connection has no API that writes to a repository (CodeConnections API reference: connections,
 * hosts, repository links and sync configurations only). Git can write through the connection's Git
 * endpoint, authenticated with SigV4 and authorized by codeconnections:UseConnection, which is what
 * the AWS-provided SageMaker MLOps templates' "seed code check-in" does: a CodeBuild build started
 * by a custom resource. This does the same with the project's own least-privilege roles: the build
 * pushes the seed only when a repository has no commit, and a failure fails the launch with the
 * build's log link.
 */
export class SeedCheckin extends Construct {
  readonly buildProject: codebuild.Project;
  readonly buildRole: iam.Role;
  readonly buildLogGroup: logs.LogGroup;
  readonly triggerFunction: lambda.Function;
  readonly triggerRole: iam.Role;
  readonly triggerLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SeedCheckinProps) {
    super(scope, id);
    const { names } = props;

    this.buildRole = serviceRole(this, 'BuildRole', names.buildRole, 'codebuild.amazonaws.com',
      'Pushes the seed code to the project\'s empty repositories through its connection');
    this.buildRole.addToPolicy(new iam.PolicyStatement({
      sid: 'PushThroughTheProjectConnection',
      actions: USE_CONNECTION_ACTIONS,
      resources: [props.connectionArn],
      conditions: repositoryConditions(props.repositoryIds),
    }));
    this.buildLogGroup = buildLogGroup(this, 'BuildLogs', names.buildProject);
    const tools = new Asset(this, 'Tools', { path: path.join(CHECKIN_DIR, 'build') });
    this.buildProject = new codebuild.Project(this, 'Build', {
      projectName: names.buildProject,
      description: 'Pushes the seed code to an empty project repository through the project\'s connection; leaves one with commits alone',
      role: this.buildRole,
      source: codebuild.Source.s3({ bucket: tools.bucket, path: tools.s3ObjectKey }),
      buildSpec: codebuild.BuildSpec.fromSourceFilename('buildspec.yml'),
      timeout: Duration.minutes(10),
      // A build still queued after 5 minutes ends (TIMED_OUT) within the function's 15-minute wait, not after it.
      queuedTimeout: Duration.minutes(5),
      ...buildProjectDefaults(this.buildLogGroup),
      environmentVariables: {
        CONNECTION_ARN: { value: props.connectionArn },
        BRANCH: { value: props.branch },
      },
    });

    this.triggerRole = serviceRole(this, 'TriggerRole', names.triggerRole, 'lambda.amazonaws.com',
      'Starts the seed check-in build for each project repository at launch and reports its outcome');
    this.triggerRole.addToPolicy(new iam.PolicyStatement({
      sid: 'RunTheSeedCheckin',
      actions: ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild'],
      resources: [this.buildProject.projectArn],
    }));
    this.triggerLogGroup = projectLogGroup(this, 'TriggerLogs', `/aws/lambda/${names.triggerFunction}`);
    // A function given its own role gets no log permissions from CDK.
    this.triggerLogGroup.grantWrite(this.triggerRole);
    this.triggerFunction = new lambda.Function(this, 'Trigger', {
      functionName: names.triggerFunction,
      description: 'Seeds each project repository through its connection at launch (CloudFormation custom resource)',
      runtime: lambda.Runtime.PYTHON_3_15,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(path.join(CHECKIN_DIR, 'trigger'), { exclude: ['__pycache__'] }),
      role: this.triggerRole,
      // Longest wait: a 10-minute build plus at most 5 minutes queued; past that the function stops the build.
      timeout: Duration.minutes(15),
      memorySize: 128,
      logGroup: this.triggerLogGroup,
      environment: { CHECKIN_PROJECT: this.buildProject.projectName },
    });
  }

  /** Seeds `repositoryId` with the git-tracked files of `seedDirectory` when it has no commit; returns the custom resource. */
  seed(scope: Construct, id: string, repositoryId: string, seedDirectory: string): CustomResource {
    const seed = new Asset(scope, `${id}Code`, { path: trackedSeedCopy(seedDirectory) });
    this.buildRole.addToPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject'],
      resources: [`arn:${Aws.PARTITION}:s3:::${seed.s3BucketName}/${seed.s3ObjectKey}`],
    }));
    const resource = new CustomResource(scope, id, {
      resourceType: SEED_CHECKIN_RESOURCE_TYPE,
      serviceToken: this.triggerFunction.functionArn,
      // The function answers within its own timeout; CloudFormation's default wait would be an hour.
      serviceTimeout: Duration.minutes(16),
      properties: { RepositoryId: repositoryId, SeedS3Uri: seed.s3ObjectUrl },
    });
    // The build starts as soon as the function exists: its role's policy (which refers to the build project, so
    // CloudFormation creates it after the project) must exist by then, or the first build fails with AccessDenied.
    resource.node.addDependency(this.buildRole);
    return resource;
  }
}

