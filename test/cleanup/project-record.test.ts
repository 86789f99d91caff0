import { DeleteProjectCommand, DescribeProjectCommand } from '@aws-sdk/client-sagemaker';
import { awsError, fakeAws, PROJECT } from './fakes';
import { deleteProject, describeProject } from '../../scripts/cleanup/project-record';

const aws = fakeAws();
const described = (status: string) => ({ ProjectName: PROJECT.projectName, ProjectId: PROJECT.projectId, ProjectStatus: status as any });
const missing = () => awsError('ValidationException', `Project ${PROJECT.projectName} does not exist`);

beforeEach(() => aws.reset());

describe('describeProject', () => {
  test('reads the id and status of the named project', async () => {
    aws.sageMaker.on(DescribeProjectCommand, { ProjectName: PROJECT.projectName }).resolves(described('CreateCompleted'));
    expect(await describeProject(aws.ctx, PROJECT.projectName)).toEqual({ ...PROJECT, status: 'CreateCompleted' });
  });

  test('a project that does not exist is undefined', async () => {
    aws.sageMaker.on(DescribeProjectCommand).rejects(missing());
    expect(await describeProject(aws.ctx, PROJECT.projectName)).toBeUndefined();
  });
});

describe('deleteProject', () => {
  test('deletes the project and waits until SageMaker no longer knows it', async () => {
    aws.sageMaker.on(DescribeProjectCommand).resolvesOnce(described('DeleteInProgress')).rejects(missing());
    await deleteProject(aws.ctx, PROJECT.projectName);
    expect(aws.sageMaker.commandCalls(DeleteProjectCommand)).toHaveLength(1);
    expect(aws.sageMaker.commandCalls(DescribeProjectCommand)).toHaveLength(2);
  });

  test('a project that ends DeleteFailed is an error pointing at the project stack\'s events', async () => {
    aws.sageMaker.on(DescribeProjectCommand).resolves(described('DeleteFailed'));
    await expect(deleteProject(aws.ctx, PROJECT.projectName)).rejects.toThrow(/is DeleteFailed: the project stack's events/);
  });
});
