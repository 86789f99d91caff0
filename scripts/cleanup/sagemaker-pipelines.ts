import { randomUUID } from 'crypto';
import {
  DeletePipelineCommand, DescribePipelineCommand, DescribePipelineExecutionCommand, paginateListPipelineExecutions, paginateSearch,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { CleanupContext } from './cleanup-context';
import { CleanupError, errorMessage, isNotFound } from './errors';
import { waitFor } from './poll';
import { PROJECT_ID_TAG, ProjectIdentity, projectName } from '../../product/sagemaker-project';

/** Execution states that block DeletePipeline. */
const RUNNING = new Set(['Executing', 'Stopping']);

/**
 * The project's SageMaker pipelines: `<name>-<id>`, which the ModelBuild seed's run_pipeline.py upserts
 * (not part of the project stack), and any pipeline tagged with the project id (run_pipeline.py tags every
 * pipeline it upserts; Search filters on tags as `Tags.<key>`, SageMaker API reference: Filter).
 */
export async function findSageMakerPipelines(ctx: CleanupContext, project: ProjectIdentity): Promise<string[]> {
  const names = new Set<string>();
  const seedPipeline = projectName('sageMakerPipeline', project);
  try {
    const found = await ctx.sageMaker.send(new DescribePipelineCommand({ PipelineName: seedPipeline }));
    names.add(found.PipelineName ?? seedPipeline);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  const search = paginateSearch({ client: ctx.sageMaker }, {
    Resource: 'Pipeline',
    SearchExpression: { Filters: [{ Name: `Tags.${PROJECT_ID_TAG}`, Operator: 'Equals', Value: project.projectId }] },
  });
  for await (const page of search) {
    for (const result of page.Results ?? []) {
      if (result.Pipeline?.PipelineName) names.add(result.Pipeline.PipelineName);
    }
  }
  return [...names].sort();
}

/**
 * Stops the pipeline's running executions, waits until they stopped, then deletes it. DeletePipeline is
 * refused while an execution runs (SageMaker API reference: DeletePipeline, "you must stop all running
 * instances of the pipeline"); deleting the pipeline deletes its execution history, not its jobs' outputs in S3.
 */
export async function deleteSageMakerPipeline(ctx: CleanupContext, pipelineName: string): Promise<void> {
  const running: string[] = [];
  const executing = new Set<string>();
  try {
    for await (const page of paginateListPipelineExecutions({ client: ctx.sageMaker }, { PipelineName: pipelineName })) {
      for (const execution of page.PipelineExecutionSummaries ?? []) {
        if (!execution.PipelineExecutionArn || !RUNNING.has(execution.PipelineExecutionStatus ?? '')) continue;
        running.push(execution.PipelineExecutionArn);
        if (execution.PipelineExecutionStatus === 'Executing') executing.add(execution.PipelineExecutionArn);
      }
    }
  } catch (error) {
    if (isNotFound(error)) {
      ctx.log(`SageMaker pipeline ${pipelineName} is already gone`);
      return;
    }
    throw error;
  }
  // An execution already Stopping needs no second StopPipelineExecution, only the wait.
  for (const arn of running.filter((a) => executing.has(a))) {
    ctx.log(`stopping execution ${arn}`);
    await ctx.sageMaker.send(new StopPipelineExecutionCommand({ PipelineExecutionArn: arn, ClientRequestToken: randomUUID() }));
  }
  for (const arn of running) {
    await waitFor(`execution ${arn} to stop`, async () => {
      const { PipelineExecutionStatus: status } = await ctx.sageMaker.send(new DescribePipelineExecutionCommand({ PipelineExecutionArn: arn }));
      return RUNNING.has(status ?? '') ? undefined : status;
    }, ctx.wait);
  }
  try {
    // ClientRequestToken is required (32-128 characters): a UUID is 36.
    await ctx.sageMaker.send(new DeletePipelineCommand({ PipelineName: pipelineName, ClientRequestToken: randomUUID() }));
  } catch (error) {
    if (isNotFound(error)) return;
    throw new CleanupError(`SageMaker pipeline ${pipelineName}: DeletePipeline failed: ${errorMessage(error)}`);
  }
  ctx.log(`deleted SageMaker pipeline ${pipelineName}`);
}
