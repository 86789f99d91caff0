import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { parseCliArguments, USAGE } from './cleanup/arguments';
import { CleanupContext } from './cleanup/cleanup-context';
import { ArgumentError, CleanupError, errorMessage, errorName } from './cleanup/errors';
import { DEFAULT_WAIT, WaitOptions } from './cleanup/poll';
import { cleanUpProject } from './cleanup/project-cleanup';

/**
 * `npx projen delete-project -- --project-name NAME [...]`: deletes a SageMaker project and everything it
 * deployed, in the order that works (scripts/cleanup/project-cleanup.ts). Exit codes: 0 done (or dry run),
 * 1 something could not be deleted (the message says what), 2 bad arguments.
 */
export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Clients for the region; the tests pass clients whose calls aws-sdk-client-mock answers. */
  readonly clients?: (region?: string) => Pick<CleanupContext, 'cloudFormation' | 'sageMaker' | 'codePipeline' | 'logs'>;
  readonly wait?: WaitOptions;
}

const DEFAULT_IO: CliIo = { out: (line) => console.log(line), err: (line) => console.error(line) };

function sdkClients(region?: string) {
  return {
    cloudFormation: new CloudFormationClient({ region }),
    sageMaker: new SageMakerClient({ region }),
    codePipeline: new CodePipelineClient({ region }),
    logs: new CloudWatchLogsClient({ region }),
  };
}

export async function main(argv: readonly string[], io: CliIo = DEFAULT_IO): Promise<number> {
  try {
    const args = parseCliArguments(argv);
    if (args.help) {
      io.out(USAGE);
      return 0;
    }
    const ctx: CleanupContext = { ...(io.clients ?? sdkClients)(args.region), log: io.out, wait: io.wait ?? DEFAULT_WAIT };
    await cleanUpProject(ctx, args.request);
    io.out(args.request.dryRun ? 'dry run: nothing was changed' : 'done');
    return 0;
  } catch (error) {
    if (error instanceof ArgumentError) {
      io.err(`error: ${error.message}\n\n${USAGE}`);
      return 2;
    }
    io.err(`error: ${describeFailure(error)}`);
    return 1;
  }
}

/** One line for any failure: our own messages as they are, AWS errors with their code, never a stack trace. */
function describeFailure(error: unknown): string {
  if (error instanceof CleanupError) return error.message;
  const name = errorName(error);
  if (name === 'CredentialsProviderError') return `no AWS credentials found (${errorMessage(error)}); set AWS_PROFILE or log in first`;
  if (/region is missing/i.test(errorMessage(error))) return 'no AWS region: pass --region or set AWS_REGION';
  return `${name ?? 'Error'}: ${errorMessage(error)}`;
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
