import { DeleteProjectCommand, DescribeProjectCommand } from '@aws-sdk/client-sagemaker';
import { CleanupContext } from './cleanup-context';
import { CleanupError, errorMessage, isNotFound } from './errors';
import { waitFor } from './poll';

/** The SageMaker project as DescribeProject reports it. */
export interface ProjectRecord {
  readonly projectName: string;
  readonly projectId: string;
  readonly status: string;
}

export async function describeProject(ctx: CleanupContext, name: string): Promise<ProjectRecord | undefined> {
  try {
    const project = await ctx.sageMaker.send(new DescribeProjectCommand({ ProjectName: name }));
    return { projectName: project.ProjectName ?? name, projectId: project.ProjectId!, status: project.ProjectStatus ?? 'unknown' };
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/**
 * Deletes the SageMaker project, which has Service Catalog terminate its provisioned product (the
 * project stack: repos, CodePipelines, roles, including the deploy role), and waits until it is gone.
 */
export async function deleteProject(ctx: CleanupContext, name: string): Promise<void> {
  try {
    await ctx.sageMaker.send(new DeleteProjectCommand({ ProjectName: name }));
  } catch (error) {
    if (isNotFound(error)) return;
    throw new CleanupError(`SageMaker project ${name}: DeleteProject failed: ${errorMessage(error)}`);
  }
  ctx.log(`deleting SageMaker project ${name} (Service Catalog deletes the project stack)`);
  await waitFor(`SageMaker project ${name} to be deleted`, async () => {
    const project = await describeProject(ctx, name);
    if (!project || project.status === 'DeleteCompleted') return true;
    if (project.status === 'DeleteFailed') {
      throw new CleanupError(`SageMaker project ${name} is DeleteFailed: the project stack's events in CloudFormation (stack SC-...-pp-...) name the resource that failed`);
    }
    return undefined;
  }, ctx.wait);
  ctx.log(`deleted SageMaker project ${name}`);
}
