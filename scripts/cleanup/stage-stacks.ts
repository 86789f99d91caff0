import {
  DeleteStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand, GetTemplateCommand, paginateDescribeStacks, Stack,
} from '@aws-sdk/client-cloudformation';
import { parse as parseYaml } from 'yaml';
import { CleanupContext } from './cleanup-context';
import { CleanupError, errorMessage, errorName, isNotFound } from './errors';
import { waitFor } from './poll';
import { PROJECT_ID_TAG, ProjectIdentity, projectName } from '../../product/sagemaker-project';

/**
 * Stack tag naming the stage, written by both deploy seeds' template configurations
 * (model-deploy `lib/template-contract.ts` TAG_STAGE, model-deploy-endpoint `scripts/export_configs.py`).
 */
export const STAGE_TAG = 'stage';

/** Tags Service Catalog puts on the stacks it provisions: the project's own stack carries the project tags too. */
const SERVICE_CATALOG_TAG_PREFIX = 'aws:servicecatalog:';

/** Deletion policies that leave the resource behind when its stack is deleted. */
const RETAINING_POLICIES = new Set(['Retain', 'RetainExceptOnCreate', 'Snapshot']);

/** A deploy stack of the project, as DescribeStacks reports it. */
export interface StageStack {
  readonly stackName: string;
  readonly stackId: string;
  readonly status: string;
  /** The role CloudFormation deletes it with: the project's deploy role, unless `--role-arn` overrides it. */
  readonly deleteRoleArn: string;
  /** Resources its template keeps when the stack is deleted (logical id and type). */
  readonly retained: readonly string[];
}

/**
 * The stage stacks of `project`: the two the ModelDeploy pipeline names (`sagemaker-<name>-<id>-deploy-staging`,
 * `-deploy-prod`), plus any other top-level stack tagged with the project id that a deploy seed made (it carries
 * the stage tag or was deployed with the project's deploy role). The project's own Service Catalog stack is never one.
 */
export async function findStageStacks(ctx: CleanupContext, project: ProjectIdentity, roleArnOverride?: string): Promise<StageStack[]> {
  const found = new Map<string, Stack>();
  for (const key of ['stagingStack', 'prodStack'] as const) {
    const stack = await describeStack(ctx, projectName(key, project));
    if (stack?.StackId) found.set(stack.StackId, stack);
  }
  const deployRoleName = projectName('cloudFormationDeployRole', project);
  for await (const page of paginateDescribeStacks({ client: ctx.cloudFormation }, {})) {
    for (const stack of page.Stacks ?? []) {
      if (stack.StackId && isTaggedDeployStack(stack, project.projectId, deployRoleName)) found.set(stack.StackId, stack);
    }
  }
  const stacks = [...found.values()].filter((s) => s.StackStatus !== 'DELETE_COMPLETE');
  const result: StageStack[] = [];
  for (const stack of stacks) {
    result.push({
      stackName: stack.StackName!,
      stackId: stack.StackId!,
      status: stack.StackStatus!,
      deleteRoleArn: roleArnOverride ?? deployRoleArn(stack.StackId!, deployRoleName),
      retained: await retainedResources(ctx, stack.StackId!),
    });
  }
  return result.sort((a, b) => a.stackName.localeCompare(b.stackName));
}

/** A project deploy stack found by tags: project id tag, not nested, not Service Catalog's, and made by a deploy seed. */
export function isTaggedDeployStack(stack: Stack, projectId: string, deployRoleName: string): boolean {
  const tags = stack.Tags ?? [];
  if (!tags.some((t) => t.Key === PROJECT_ID_TAG && t.Value === projectId)) return false;
  // A nested stack goes with its parent; the project's own stack is deleted by Service Catalog.
  if (stack.ParentId || tags.some((t) => t.Key?.startsWith(SERVICE_CATALOG_TAG_PREFIX))) return false;
  return tags.some((t) => t.Key === STAGE_TAG) || (stack.RoleARN?.endsWith(`:role/${deployRoleName}`) ?? false);
}

/** The project's deploy role in the stack's account and partition (both read from the stack id ARN). */
export function deployRoleArn(stackId: string, deployRoleName: string): string {
  const [, partition, , , account] = stackId.split(':');
  return `arn:${partition}:iam::${account}:role/${deployRoleName}`;
}

/**
 * Deletes every stack with its deploy role and waits until all are gone. CloudFormation deletes a
 * stack's resources with the role passed as RoleARN (DeleteStack API reference: without it, the role
 * previously associated with the stack, which is the same deploy role here). The stage stacks were
 * created with it and nothing else may touch their resources, so they must go before the project's
 * own stack deletes that role.
 */
export async function deleteStageStacks(ctx: CleanupContext, stacks: readonly StageStack[]): Promise<void> {
  const results = await Promise.allSettled(stacks.map((stack) => deleteStageStack(ctx, stack)));
  const failures = results.flatMap((r) => (r.status === 'rejected' ? [errorMessage(r.reason)] : []));
  if (failures.length > 0) throw new CleanupError(failures.join('\n'));
}

async function deleteStageStack(ctx: CleanupContext, stack: StageStack): Promise<void> {
  if (stack.status.endsWith('_IN_PROGRESS') && stack.status !== 'DELETE_IN_PROGRESS') {
    // DeleteStack is refused (or cancels nothing) while an update runs: the pipeline is deploying this stage.
    throw new CleanupError(`${stack.stackName} is ${stack.status}: a deployment is running. Wait until it ends, then run this command again.`);
  }
  if (stack.status !== 'DELETE_IN_PROGRESS') {
    // DELETE_FAILED: a new DeleteStack retries the resources that failed (after their cause is fixed).
    ctx.log(`deleting stack ${stack.stackName} (${stack.status}) with role ${stack.deleteRoleArn}`);
    try {
      await ctx.cloudFormation.send(new DeleteStackCommand({ StackName: stack.stackId, RoleARN: stack.deleteRoleArn }));
    } catch (error) {
      throw new CleanupError(`${stack.stackName}: DeleteStack failed: ${explainDeleteError(error, stack.deleteRoleArn)}`);
    }
  }
  await waitFor(`${stack.stackName} to be deleted`, async () => {
    const current = await describeStack(ctx, stack.stackId);
    const status = current?.StackStatus ?? 'DELETE_COMPLETE';
    if (status === 'DELETE_COMPLETE') return true;
    if (status === 'DELETE_FAILED') throw new CleanupError(await deleteFailure(ctx, stack));
    return undefined;
  }, ctx.wait);
  ctx.log(`deleted stack ${stack.stackName}`);
}

function explainDeleteError(error: unknown, roleArn: string): string {
  const message = errorMessage(error);
  if (/is invalid or cannot be assumed/i.test(message)) {
    return `the role ${roleArn} does not exist or CloudFormation cannot assume it (was the project deleted before its stage stacks?). `
      + 'Pass --role-arn with a role CloudFormation can assume that may delete the stack\'s resources.';
  }
  if (errorName(error) === 'AccessDenied' || /not authorized/i.test(message)) {
    return `${message} (the caller needs cloudformation:DeleteStack on the stack and iam:PassRole on ${roleArn})`;
  }
  return message;
}

/** Why a deletion failed: each resource in DELETE_FAILED with CloudFormation's reason. */
async function deleteFailure(ctx: CleanupContext, stack: StageStack): Promise<string> {
  const { StackResources: resources = [] } = await ctx.cloudFormation.send(new DescribeStackResourcesCommand({ StackName: stack.stackId }));
  const failed = resources.filter((r) => r.ResourceStatus === 'DELETE_FAILED')
    .map((r) => `  ${r.LogicalResourceId} (${r.ResourceType}): ${r.ResourceStatusReason ?? 'no reason given'}`);
  return [`${stack.stackName} is DELETE_FAILED. Fix the cause, then run this command again (it retries the deletion):`,
    ...(failed.length > 0 ? failed : ['  (no resource reports DELETE_FAILED; see the stack\'s events)'])].join('\n');
}

async function describeStack(ctx: CleanupContext, stackName: string): Promise<Stack | undefined> {
  try {
    const { Stacks: stacks = [] } = await ctx.cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
    return stacks[0];
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Resources whose DeletionPolicy keeps them after the stack is gone (JSON or YAML template). */
async function retainedResources(ctx: CleanupContext, stackId: string): Promise<string[]> {
  const { TemplateBody: body } = await ctx.cloudFormation.send(new GetTemplateCommand({ StackName: stackId, TemplateStage: 'Original' }));
  if (!body) return [];
  // Short-form intrinsics (!Ref, !Sub) are unknown YAML tags: they parse as plain values, which is all this needs.
  const template = parseYaml(body, { logLevel: 'silent' }) as { Resources?: Record<string, { Type?: string; DeletionPolicy?: unknown }> };
  return Object.entries(template?.Resources ?? {})
    .filter(([, r]) => typeof r.DeletionPolicy === 'string' && RETAINING_POLICIES.has(r.DeletionPolicy))
    .map(([id, r]) => `${id} (${r.Type})`);
}
