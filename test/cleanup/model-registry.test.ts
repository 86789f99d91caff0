import {
  DeleteModelPackageCommand, DeleteModelPackageGroupCommand, DescribeModelPackageGroupCommand, ListModelPackagesCommand,
} from '@aws-sdk/client-sagemaker';
import { awsError, fakeAws, MODEL_GROUP } from './fakes';
import { deleteModelPackageGroup, listModelPackages } from '../../scripts/cleanup/model-registry';

const aws = fakeAws();
const groupMissing = () => awsError('ValidationException', `ModelPackageGroup ${MODEL_GROUP} does not exist.`);
const version = (n: number) => `arn:aws:sagemaker:eu-west-1:111122223333:model-package/${MODEL_GROUP.toLowerCase()}/${n}`;
const group = (status: string) => ({ ModelPackageGroupName: MODEL_GROUP, ModelPackageGroupArn: 'arn', CreationTime: new Date(0), ModelPackageGroupStatus: status as any, CreatedBy: {} });

beforeEach(() => aws.reset());

describe('listModelPackages', () => {
  test('lists every version of the group, across pages', async () => {
    aws.sageMaker.on(DescribeModelPackageGroupCommand).resolves(group('Completed'));
    aws.sageMaker.on(ListModelPackagesCommand)
      .resolvesOnce({ ModelPackageSummaryList: [{ ModelPackageArn: version(1) } as any], NextToken: 'n' })
      .resolves({ ModelPackageSummaryList: [{ ModelPackageArn: version(2) } as any] });
    expect(await listModelPackages(aws.ctx, MODEL_GROUP)).toEqual([version(1), version(2)]);
  });

  test('a group already deleted is undefined, not an error', async () => {
    aws.sageMaker.on(DescribeModelPackageGroupCommand).rejects(groupMissing());
    expect(await listModelPackages(aws.ctx, MODEL_GROUP)).toBeUndefined();
  });
});

describe('deleteModelPackageGroup', () => {
  test('deletes every version before the group, then waits until the group is gone', async () => {
    aws.sageMaker.on(DescribeModelPackageGroupCommand).resolvesOnce(group('Deleting')).rejects(groupMissing());
    await deleteModelPackageGroup(aws.ctx, MODEL_GROUP, [version(1), version(2)]);
    const versions = aws.sageMaker.commandCalls(DeleteModelPackageCommand);
    const [groupDeletion] = aws.sageMaker.commandCalls(DeleteModelPackageGroupCommand);
    expect(versions.map((c) => c.args[0].input.ModelPackageName)).toEqual([version(1), version(2)]);
    expect(versions.every((c) => c.calledBefore(groupDeletion))).toBe(true);
    expect(aws.sageMaker.commandCalls(DescribeModelPackageGroupCommand)).toHaveLength(2);
    expect(aws.lines).toContain(`deleted model package group ${MODEL_GROUP}`);
  });

  test('a version deleted meanwhile is skipped', async () => {
    aws.sageMaker.on(DeleteModelPackageCommand).rejects(awsError('ValidationException', 'Model package does not exist'));
    aws.sageMaker.on(DescribeModelPackageGroupCommand).rejects(groupMissing());
    await expect(deleteModelPackageGroup(aws.ctx, MODEL_GROUP, [version(1)])).resolves.toBeUndefined();
  });

  test('a group that ends DeleteFailed is an error telling how to find what is left', async () => {
    aws.sageMaker.on(DescribeModelPackageGroupCommand).resolves(group('DeleteFailed'));
    await expect(deleteModelPackageGroup(aws.ctx, MODEL_GROUP, [])).rejects.toThrow(`is DeleteFailed: check that no version is left (aws sagemaker list-model-packages --model-package-group-name ${MODEL_GROUP})`);
  });
});
