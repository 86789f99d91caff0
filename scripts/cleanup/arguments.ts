import { parseArgs } from 'util';
import { ArgumentError } from './errors';
import { CleanupRequest } from './project-cleanup';
import { ROLE_ARN } from '../../product/portfolio-config-schema';
import { PROJECT_ID_PATTERN, PROJECT_NAME_MAX_LENGTH, PROJECT_NAME_PATTERN } from '../../product/sagemaker-project';

export const USAGE = `usage: npx projen delete-project --project-name NAME [--project-id p-xxxxxxxxxxxx] [options]

Deletes a SageMaker project launched from this template and everything it deployed, in order:
stage stacks (with the project's deploy role), SageMaker pipelines, then the project itself.
The project bucket, the ECR repository and (unless --delete-models) the model package group stay.

  --project-name NAME   the SageMaker project (required)
  --project-id ID       its id (p- and 12 characters); required once the project itself is deleted
  --region REGION       AWS region (default: AWS_REGION / the profile's region)
  --dry-run             list what would be deleted; change nothing
  --delete-models       also delete every model package version and the model package group
  --keep-project        delete what the project deployed, but not the SageMaker project
  --role-arn ARN        role CloudFormation deletes the stage stacks with (default: the project's deploy role)
  --help                this text`;

/** The parsed command line: the request, plus where to run it. */
export interface CliArguments {
  readonly request: CleanupRequest;
  readonly region?: string;
  readonly help: boolean;
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Parses and validates argv; every problem is an ArgumentError naming the option. */
export function parseCliArguments(argv: readonly string[]): CliArguments {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'project-name': { type: 'string' },
        'project-id': { type: 'string' },
        'region': { type: 'string' },
        'role-arn': { type: 'string' },
        'dry-run': { type: 'boolean', default: false },
        'delete-models': { type: 'boolean', default: false },
        'keep-project': { type: 'boolean', default: false },
        'help': { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    // Node's messages name the option ("Unknown option '--x'", "Option '--project-name <value>' argument missing").
    throw new ArgumentError((error as Error).message.split('\n')[0]);
  }
  const help = values.help === true;
  const name = values['project-name'] as string | undefined;
  const id = values['project-id'] as string | undefined;
  const region = values.region as string | undefined;
  const roleArn = values['role-arn'] as string | undefined;
  if (!help) {
    if (!name) throw new ArgumentError('--project-name is required');
    if (name.length > PROJECT_NAME_MAX_LENGTH || !new RegExp(PROJECT_NAME_PATTERN).test(name)) {
      throw new ArgumentError(`--project-name '${name}' is not a SageMaker project name (1-${PROJECT_NAME_MAX_LENGTH} letters, digits and single hyphens)`);
    }
    if (id !== undefined && !new RegExp(PROJECT_ID_PATTERN).test(id)) {
      throw new ArgumentError(`--project-id '${id}' is not a SageMaker project id (p- and 12 lower-case letters or digits)`);
    }
    if (region !== undefined && !REGION_PATTERN.test(region)) throw new ArgumentError(`--region '${region}' is not an AWS region (e.g. eu-west-1)`);
    if (roleArn !== undefined && !ROLE_ARN.test(roleArn)) throw new ArgumentError(`--role-arn '${roleArn}' is not an IAM role ARN`);
  }
  return {
    help,
    region,
    request: {
      projectName: name ?? '',
      projectId: id,
      roleArn,
      dryRun: values['dry-run'] === true,
      deleteModels: values['delete-models'] === true,
      keepProject: values['keep-project'] === true,
    },
  };
}
