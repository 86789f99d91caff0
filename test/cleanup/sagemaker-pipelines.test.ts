import {
  DeletePipelineCommand, DescribePipelineCommand, DescribePipelineExecutionCommand, ListPipelineExecutionsCommand, ResourceNotFound, SearchCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { awsError, fakeAws, PROJECT, SAGEMAKER_PIPELINE } from './fakes';
import { CleanupError } from '../../scripts/cleanup/errors';
import { deleteSageMakerPipeline, findSageMakerPipelines } from '../../scripts/cleanup/sagemaker-pipelines';

const aws = fakeAws();
const notFound = () => new ResourceNotFound({ message: `Pipeline ${SAGEMAKER_PIPELINE} does not exist`, $metadata: {} });
const execution = (n: number) => `arn:aws:sagemaker:eu-west-1:111122223333:pipeline/${SAGEMAKER_PIPELINE.toLowerCase()}/execution/e${n}`;

beforeEach(() => aws.reset());

describe('findSageMakerPipelines', () => {
  test('finds the pipeline run_pipeline.py upserts (<name>-<id>) and every pipeline tagged with the project id', async () => {
    aws.sageMaker.on(DescribePipelineCommand, { PipelineName: SAGEMAKER_PIPELINE }).resolves({ PipelineName: SAGEMAKER_PIPELINE });
    aws.sageMaker.on(SearchCommand)
      .resolvesOnce({ Results: [{ Pipeline: { PipelineName: SAGEMAKER_PIPELINE } }], NextToken: 'next' })
      .resolves({ Results: [{ Pipeline: { PipelineName: 'churn-batch-scoring' } }] });
    expect(await findSageMakerPipelines(aws.ctx, PROJECT)).toEqual([SAGEMAKER_PIPELINE, 'churn-batch-scoring'].sort());
    expect(aws.sageMaker.commandCalls(SearchCommand)).toHaveLength(2);
    expect(aws.sageMaker.commandCalls(SearchCommand)[0].args[0].input).toMatchObject({
      Resource: 'Pipeline',
      SearchExpression: { Filters: [{ Name: 'Tags.sagemaker:project-id', Operator: 'Equals', Value: PROJECT.projectId }] },
    });
  });

  test('a project whose ModelBuild never ran has no pipeline to delete', async () => {
    aws.sageMaker.on(DescribePipelineCommand).rejects(notFound());
    aws.sageMaker.on(SearchCommand).resolves({ Results: [] });
    expect(await findSageMakerPipelines(aws.ctx, PROJECT)).toEqual([]);
  });
});

describe('deleteSageMakerPipeline', () => {
  test('stops the running executions, waits until they stopped, then deletes the pipeline with a valid ClientRequestToken', async () => {
    aws.sageMaker.on(ListPipelineExecutionsCommand).resolves({
      PipelineExecutionSummaries: [
        { PipelineExecutionArn: execution(1), PipelineExecutionStatus: 'Executing' },
        { PipelineExecutionArn: execution(2), PipelineExecutionStatus: 'Succeeded' },
      ],
    });
    aws.sageMaker.on(DescribePipelineExecutionCommand)
      .resolvesOnce({ PipelineExecutionStatus: 'Stopping' })
      .resolves({ PipelineExecutionStatus: 'Stopped' });
    aws.sageMaker.on(DeletePipelineCommand).resolves({});
    await deleteSageMakerPipeline(aws.ctx, SAGEMAKER_PIPELINE);

    const stops = aws.sageMaker.commandCalls(StopPipelineExecutionCommand);
    expect(stops.map((c) => c.args[0].input.PipelineExecutionArn)).toEqual([execution(1)]);
    const [deletion] = aws.sageMaker.commandCalls(DeletePipelineCommand);
    expect(deletion.args[0].input.PipelineName).toBe(SAGEMAKER_PIPELINE);
    // DeletePipeline requires a ClientRequestToken of 32 to 128 characters.
    expect(deletion.args[0].input.ClientRequestToken!.length).toBeGreaterThanOrEqual(32);
    expect(aws.sageMaker.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(2);
    expect(stops[0].calledBefore(deletion)).toBe(true);
  });

  test('an execution already Stopping is waited for, not sent a second StopPipelineExecution', async () => {
    aws.sageMaker.on(ListPipelineExecutionsCommand).resolves({
      PipelineExecutionSummaries: [{ PipelineExecutionArn: execution(3), PipelineExecutionStatus: 'Stopping' }],
    });
    aws.sageMaker.on(DescribePipelineExecutionCommand).resolves({ PipelineExecutionStatus: 'Stopped' });
    aws.sageMaker.on(DeletePipelineCommand).resolves({});
    await deleteSageMakerPipeline(aws.ctx, SAGEMAKER_PIPELINE);
    expect(aws.sageMaker.commandCalls(StopPipelineExecutionCommand)).toHaveLength(0);
    expect(aws.sageMaker.commandCalls(DescribePipelineExecutionCommand)).toHaveLength(1);
    expect(aws.sageMaker.commandCalls(DeletePipelineCommand)).toHaveLength(1);
  });

  test('a pipeline already gone is skipped', async () => {
    aws.sageMaker.on(ListPipelineExecutionsCommand).rejects(notFound());
    await deleteSageMakerPipeline(aws.ctx, SAGEMAKER_PIPELINE);
    expect(aws.sageMaker.commandCalls(DeletePipelineCommand)).toHaveLength(0);
    expect(aws.lines).toEqual([`SageMaker pipeline ${SAGEMAKER_PIPELINE} is already gone`]);
  });

  test('a refused deletion names the pipeline and SageMaker\'s reason', async () => {
    aws.sageMaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
    aws.sageMaker.on(DeletePipelineCommand).rejects(awsError('AccessDeniedException', 'not authorized to perform: sagemaker:DeletePipeline'));
    const failure = deleteSageMakerPipeline(aws.ctx, SAGEMAKER_PIPELINE);
    await expect(failure).rejects.toThrow(CleanupError);
    await expect(failure).rejects.toThrow(`SageMaker pipeline ${SAGEMAKER_PIPELINE}: DeletePipeline failed: not authorized to perform: sagemaker:DeletePipeline`);
  });
});
