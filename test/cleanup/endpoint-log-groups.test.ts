import { DeleteLogGroupCommand, DescribeLogGroupsCommand, ResourceNotFoundException } from '@aws-sdk/client-cloudwatch-logs';
import { awsError, fakeAws, PROJECT } from './fakes';
import { deleteLogGroups, endpointLogGroupPrefix, findEndpointLogGroups } from '../../scripts/cleanup/endpoint-log-groups';

const aws = fakeAws();
const group = (stage: string) => `/aws/sagemaker/Endpoints/sagemaker-${PROJECT.projectId}-${stage}`;
beforeEach(() => aws.reset());

describe('endpoint log groups', () => {
  test('looks only under /aws/sagemaker/Endpoints/sagemaker-<id>- (the project\'s endpoint names), across pages', async () => {
    aws.logs.on(DescribeLogGroupsCommand)
      .resolvesOnce({ logGroups: [{ logGroupName: group('staging') }], nextToken: 'n' })
      .resolves({ logGroups: [{ logGroupName: group('prod') }] });
    expect(await findEndpointLogGroups(aws.ctx, PROJECT.projectId)).toEqual([group('staging'), group('prod')]);
    expect(aws.logs.commandCalls(DescribeLogGroupsCommand)[0].args[0].input.logGroupNamePrefix).toBe(`/aws/sagemaker/Endpoints/sagemaker-${PROJECT.projectId}-`);
    expect(endpointLogGroupPrefix(PROJECT.projectId)).toBe(`/aws/sagemaker/Endpoints/sagemaker-${PROJECT.projectId}-`);
  });

  test('deletes each group; one already gone is skipped, any other refusal names the group', async () => {
    aws.logs.on(DeleteLogGroupCommand, { logGroupName: group('staging') }).rejects(new ResourceNotFoundException({ message: 'gone', $metadata: {} }));
    await deleteLogGroups(aws.ctx, [group('staging'), group('prod')]);
    expect(aws.logs.commandCalls(DeleteLogGroupCommand)).toHaveLength(2);
    expect(aws.lines).toEqual([`deleted log group ${group('prod')}`]);

    aws.logs.on(DeleteLogGroupCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
    await expect(deleteLogGroups(aws.ctx, [group('prod')])).rejects.toThrow(`log group ${group('prod')}: DeleteLogGroup failed: not authorized`);
  });
});
