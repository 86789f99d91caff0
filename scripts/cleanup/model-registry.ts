import {
  DeleteModelPackageCommand, DeleteModelPackageGroupCommand, DescribeModelPackageGroupCommand, paginateListModelPackages,
} from '@aws-sdk/client-sagemaker';
import { CleanupContext } from './cleanup-context';
import { CleanupError, errorMessage, isNotFound } from './errors';
import { waitFor } from './poll';

/** Every version ARN in the group, or undefined when the group does not exist. */
export async function listModelPackages(ctx: CleanupContext, groupName: string): Promise<string[] | undefined> {
  try {
    await ctx.sageMaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: groupName }));
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
  const arns: string[] = [];
  for await (const page of paginateListModelPackages({ client: ctx.sageMaker }, { ModelPackageGroupName: groupName })) {
    arns.push(...(page.ModelPackageSummaryList ?? []).flatMap((p) => (p.ModelPackageArn ? [p.ModelPackageArn] : [])));
  }
  return arns;
}

/**
 * Deletes every version, then the group, and waits until the group is gone. The product retains the group
 * (a group holding versions ends DeleteFailed, aws-sagemaker-modelpackagegroup DeleteHandler), so this only
 * runs with `--delete-models`. The model artifacts in the project bucket are not touched.
 */
export async function deleteModelPackageGroup(ctx: CleanupContext, groupName: string, versions: readonly string[]): Promise<void> {
  for (const arn of versions) {
    try {
      await ctx.sageMaker.send(new DeleteModelPackageCommand({ ModelPackageName: arn }));
    } catch (error) {
      if (!isNotFound(error)) throw new CleanupError(`model package ${arn}: DeleteModelPackage failed: ${errorMessage(error)}`);
    }
  }
  ctx.log(`deleted ${versions.length} model package version(s) of ${groupName}`);
  try {
    await ctx.sageMaker.send(new DeleteModelPackageGroupCommand({ ModelPackageGroupName: groupName }));
  } catch (error) {
    if (isNotFound(error)) return;
    throw new CleanupError(`model package group ${groupName}: DeleteModelPackageGroup failed: ${errorMessage(error)}`);
  }
  // Deletion is asynchronous: the group is Deleting, then gone, or DeleteFailed.
  await waitFor(`model package group ${groupName} to be deleted`, async () => {
    try {
      const described = await ctx.sageMaker.send(new DescribeModelPackageGroupCommand({ ModelPackageGroupName: groupName }));
      const status = described.ModelPackageGroupStatus;
      if (status === 'DeleteFailed') {
        throw new CleanupError(`model package group ${groupName} is DeleteFailed: check that no version is left (aws sagemaker list-model-packages --model-package-group-name ${groupName})`);
      }
      return undefined;
    } catch (error) {
      if (isNotFound(error)) return true;
      throw error;
    }
  }, ctx.wait);
  ctx.log(`deleted model package group ${groupName}`);
}
