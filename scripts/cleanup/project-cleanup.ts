import { CleanupContext } from './cleanup-context';
import { deleteLogGroups, findEndpointLogGroups } from './endpoint-log-groups';
import { CleanupError } from './errors';
import { deleteModelPackageGroup, listModelPackages } from './model-registry';
import { freezeProjectPipelines, STAGES_TO_FREEZE } from './pipeline-transitions';
import { deleteProject, describeProject, ProjectRecord } from './project-record';
import { deleteSageMakerPipeline, findSageMakerPipelines } from './sagemaker-pipelines';
import { deleteStageStacks, findStageStacks, StageStack } from './stage-stacks';
import { ProjectIdentity, projectName } from '../../product/sagemaker-project';

export interface CleanupRequest {
  /** The SageMaker project name. */
  readonly projectName: string;
  /** Required once the SageMaker project is gone; checked against DescribeProject while it exists. */
  readonly projectId?: string;
  /** List what would be deleted; change nothing. */
  readonly dryRun: boolean;
  /** Also delete the model package versions and the group (retained by default). */
  readonly deleteModels: boolean;
  /** Stop before DeleteProject: delete only what the project deployed. */
  readonly keepProject: boolean;
  /** Role CloudFormation deletes the stage stacks with, instead of the project's deploy role. */
  readonly roleArn?: string;
}

/** What a run found (and deleted, unless it was a dry run). */
export interface CleanupPlan {
  readonly project: ProjectIdentity;
  readonly record?: ProjectRecord;
  readonly stageStacks: readonly StageStack[];
  readonly sageMakerPipelines: readonly string[];
  /** Log groups SageMaker made for the project's endpoints (endpoint product). */
  readonly endpointLogGroups: readonly string[];
  /** Versions of the model package group, when `deleteModels`; undefined when not asked or the group is gone. */
  readonly modelPackages?: readonly string[];
}

/**
 * Deletes a project in the one order that works:
 * 1. freeze the pipeline stages that would recreate what follows;
 * 2. delete the stage stacks with the project's deploy role (only that role may delete their resources,
 *    and the project stack deletes it), and wait;
 *    then the endpoints' log groups, which SageMaker created outside the stacks;
 * 3. stop and delete the SageMaker pipelines (run_pipeline.py created them outside any stack);
 * 4. with `deleteModels`, delete the model package versions and the group (retained otherwise);
 * 5. unless `keepProject`, delete the SageMaker project, which deletes the project stack.
 * The bucket (data, model artifacts) and the ECR repository (images) are retained by the product.
 */
export async function cleanUpProject(ctx: CleanupContext, request: CleanupRequest): Promise<CleanupPlan> {
  const { project, record } = await resolveProject(ctx, request);
  const groupName = projectName('modelPackageGroup', project);
  const plan: CleanupPlan = {
    project,
    record,
    stageStacks: await findStageStacks(ctx, project, request.roleArn),
    sageMakerPipelines: await findSageMakerPipelines(ctx, project),
    endpointLogGroups: await findEndpointLogGroups(ctx, project.projectId),
    modelPackages: request.deleteModels ? await listModelPackages(ctx, groupName) : undefined,
  };
  report(ctx, plan, request);
  if (request.dryRun) return plan;

  // Also without a SageMaker project: a stack launched straight from Service Catalog still has its pipelines.
  await freezeProjectPipelines(ctx, project);
  await deleteStageStacks(ctx, plan.stageStacks);
  await deleteLogGroups(ctx, plan.endpointLogGroups);
  for (const pipeline of plan.sageMakerPipelines) await deleteSageMakerPipeline(ctx, pipeline);
  if (plan.modelPackages) await deleteModelPackageGroup(ctx, groupName, plan.modelPackages);
  if (record && !request.keepProject) await deleteProject(ctx, project.projectName);
  retainedNotice(project, request.deleteModels).forEach((line) => ctx.log(line));
  return plan;
}

/** Name and id of the project; refuses an id that is not the named project's (a typo must not clean up another project). */
async function resolveProject(ctx: CleanupContext, request: CleanupRequest): Promise<{ project: ProjectIdentity; record?: ProjectRecord }> {
  const record = await describeProject(ctx, request.projectName);
  if (record) {
    if (request.projectId && request.projectId !== record.projectId) {
      throw new CleanupError(`SageMaker project ${request.projectName} has id ${record.projectId}, not ${request.projectId}: nothing was changed`);
    }
    if (record.status === 'DeleteInProgress') {
      throw new CleanupError(`SageMaker project ${request.projectName} is already being deleted; once that ends, run this command again with --project-id ${record.projectId}`);
    }
    return { project: { projectName: request.projectName, projectId: record.projectId }, record };
  }
  if (!request.projectId) {
    throw new CleanupError(`no SageMaker project named ${request.projectName} in this account and region. `
      + 'If it was already deleted, pass --project-id p-... to delete what it left behind.');
  }
  return { project: { projectName: request.projectName, projectId: request.projectId } };
}

function report(ctx: CleanupContext, plan: CleanupPlan, request: CleanupRequest): void {
  const verb = request.dryRun ? 'would delete' : 'will delete';
  const { project, record } = plan;
  ctx.log(`SageMaker project ${project.projectName} (${project.projectId}): ${record ? record.status : 'already deleted'}`);
  const frozen = STAGES_TO_FREEZE.map((s) => `${projectName(s.pipeline, project)} / ${s.stage}`).join(', ');
  ctx.log(`${request.dryRun ? 'would disable' : 'will disable'} the transitions into (where the pipelines still exist): ${frozen}`);
  for (const stack of plan.stageStacks) {
    ctx.log(`${verb} stack ${stack.stackName} (${stack.status}) with role ${stack.deleteRoleArn}`);
    if (stack.retained.length > 0) ctx.log(`  its template retains: ${stack.retained.join(', ')}`);
  }
  if (plan.stageStacks.length === 0) ctx.log('no stage stacks left');
  for (const group of plan.endpointLogGroups) ctx.log(`${verb} log group ${group} (SageMaker endpoint logs)`);
  for (const pipeline of plan.sageMakerPipelines) ctx.log(`${verb} SageMaker pipeline ${pipeline} (running executions are stopped first)`);
  if (plan.sageMakerPipelines.length === 0) ctx.log('no SageMaker pipelines left');
  if (request.deleteModels) {
    const group = projectName('modelPackageGroup', project);
    ctx.log(plan.modelPackages ? `${verb} model package group ${group} and its ${plan.modelPackages.length} version(s)` : `model package group ${group} is already gone`);
  }
  if (record && !request.keepProject) ctx.log(`${verb} SageMaker project ${project.projectName} and its stack (repos, pipelines, roles)`);
  if (request.dryRun) retainedNotice(project, request.deleteModels).forEach((line) => ctx.log(line));
}

/** What stays on purpose, and how to delete it by hand. */
export function retainedNotice(project: ProjectIdentity, deleteModels: boolean): string[] {
  const bucket = projectName('artifactBucket', project);
  const lines = [
    'retained on purpose (README: Deleting a project):',
    `  S3 bucket ${bucket} (training data, model artifacts, pipeline artifacts)`,
    `  ECR repository ${projectName('inferenceRepository', project)} (Lambda product, unless project.deleteImagesWithProject)`,
  ];
  if (!deleteModels) lines.push(`  model package group ${projectName('modelPackageGroup', project)} and its versions (--delete-models deletes them)`);
  return lines;
}
