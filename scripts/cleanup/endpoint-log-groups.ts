import { DeleteLogGroupCommand, paginateDescribeLogGroups } from '@aws-sdk/client-cloudwatch-logs';
import { CleanupContext } from './cleanup-context';
import { CleanupError, errorMessage, isNotFound } from './errors';
import { projectResourcePrefix } from '../../product/sagemaker-project';

/**
 * SageMaker writes an endpoint's container logs to `/aws/sagemaker/Endpoints/<endpoint name>`, a group
 * it creates itself: outside the stage stack, never expiring (SageMaker developer guide, "Log groups and
 * streams that Amazon SageMaker AI sends"). The project's endpoints are named `sagemaker-<id>-<stage>`.
 */
export function endpointLogGroupPrefix(projectId: string): string {
  return `/aws/sagemaker/Endpoints/${projectResourcePrefix(projectId)}`;
}

export async function findEndpointLogGroups(ctx: CleanupContext, projectId: string): Promise<string[]> {
  const names: string[] = [];
  for await (const page of paginateDescribeLogGroups({ client: ctx.logs }, { logGroupNamePrefix: endpointLogGroupPrefix(projectId) })) {
    names.push(...(page.logGroups ?? []).flatMap((g) => (g.logGroupName ? [g.logGroupName] : [])));
  }
  return names;
}

/** Deletes each group (run after the stage stacks, so no endpoint writes to them any more). */
export async function deleteLogGroups(ctx: CleanupContext, names: readonly string[]): Promise<void> {
  for (const logGroupName of names) {
    try {
      await ctx.logs.send(new DeleteLogGroupCommand({ logGroupName }));
      ctx.log(`deleted log group ${logGroupName}`);
    } catch (error) {
      if (!isNotFound(error)) throw new CleanupError(`log group ${logGroupName}: DeleteLogGroup failed: ${errorMessage(error)}`);
    }
  }
}
