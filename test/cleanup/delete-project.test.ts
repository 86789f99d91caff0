import { DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DisableStageTransitionCommand } from '@aws-sdk/client-codepipeline';
import { DescribePipelineCommand, DescribeProjectCommand, SearchCommand } from '@aws-sdk/client-sagemaker';
import { awsError, fakeAws, PROJECT } from './fakes';
import { main } from '../../scripts/delete-project';

const aws = fakeAws();

async function run(argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), clients: () => aws.clients, wait: aws.ctx.wait });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
const noStackTrace = (text: string) => expect(text).not.toMatch(/\n\s+at /);

beforeEach(() => aws.reset());

describe('delete-project CLI', () => {
  test('bad arguments exit 2 with the problem and the usage, no stack trace, and no AWS call', async () => {
    const { code, err } = await run(['--project-name', 'churn', '--project-id', 'P-1']);
    expect(code).toBe(2);
    expect(err).toMatch(/^error: --project-id 'P-1' is not a SageMaker project id[\s\S]*usage: npx projen delete-project/);
    noStackTrace(err);
    expect(aws.sageMaker.calls()).toHaveLength(0);
  });

  test('--help prints the usage and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toContain('--dry-run');
  });

  test('a clean-up problem exits 1 with its message alone', async () => {
    aws.sageMaker.on(DescribeProjectCommand).rejects(awsError('ValidationException', 'Project churn does not exist'));
    const { code, err } = await run(['--project-name', 'churn']);
    expect(code).toBe(1);
    expect(err).toBe('error: no SageMaker project named churn in this account and region. If it was already deleted, pass --project-id p-... to delete what it left behind.');
  });

  test('an AWS error the clean-up does not expect exits 1 with its code and message on one line', async () => {
    aws.sageMaker.on(DescribeProjectCommand).rejects(awsError('AccessDeniedException', 'User is not authorized to perform: sagemaker:DescribeProject'));
    const { code, err } = await run(['--project-name', 'churn']);
    expect(code).toBe(1);
    expect(err).toBe('error: AccessDeniedException: User is not authorized to perform: sagemaker:DescribeProject');
  });

  test('missing credentials are explained, not dumped', async () => {
    aws.sageMaker.on(DescribeProjectCommand).rejects(awsError('CredentialsProviderError', 'Could not load credentials from any providers'));
    const { code, err } = await run(['--project-name', 'churn']);
    expect(code).toBe(1);
    expect(err).toBe('error: no AWS credentials found (Could not load credentials from any providers); set AWS_PROFILE or log in first');
  });

  test('a dry run on a project with nothing deployed exits 0 and says nothing changed', async () => {
    aws.sageMaker.on(DescribeProjectCommand).resolves({ ProjectName: PROJECT.projectName, ProjectId: PROJECT.projectId, ProjectStatus: 'CreateCompleted' });
    aws.cloudFormation.on(DescribeStacksCommand).rejects(awsError('ValidationError', 'Stack with id x does not exist'));
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [] });
    aws.sageMaker.on(DescribePipelineCommand).rejects(awsError('ResourceNotFound', 'Pipeline does not exist'));
    aws.sageMaker.on(SearchCommand).resolves({ Results: [] });
    aws.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const { code, out } = await run(['--project-name', PROJECT.projectName, '--dry-run']);
    expect(aws.codePipeline.commandCalls(DisableStageTransitionCommand)).toHaveLength(0);
    expect(code).toBe(0);
    expect(out).toContain('no stage stacks left');
    expect(out.split('\n').pop()).toBe('dry run: nothing was changed');
  });
});
