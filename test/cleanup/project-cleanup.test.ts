import { DeleteStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand, GetTemplateCommand, Stack } from '@aws-sdk/client-cloudformation';
import { DeleteLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DisableStageTransitionCommand, PipelineNotFoundException } from '@aws-sdk/client-codepipeline';
import {
  DeleteModelPackageCommand, DeleteModelPackageGroupCommand, DeletePipelineCommand, DeleteProjectCommand, DescribeModelPackageGroupCommand,
  DescribePipelineCommand, DescribeProjectCommand, ListModelPackagesCommand, ListPipelineExecutionsCommand, SearchCommand,
  StopPipelineExecutionCommand,
} from '@aws-sdk/client-sagemaker';
import { awsError, DEPLOY_ROLE_ARN, fakeAws, MODEL_GROUP, PROD, PROJECT, SAGEMAKER_PIPELINE, STAGING, stackId, stackMissing } from './fakes';
import { CleanupRequest, cleanUpProject } from '../../scripts/cleanup/project-cleanup';

const aws = fakeAws();
const request = (overrides: Partial<CleanupRequest> = {}): CleanupRequest =>
  ({ projectName: PROJECT.projectName, dryRun: false, deleteModels: false, keepProject: false, ...overrides });
const stack = (name: string, status: string): Stack => ({
  StackName: name,
  StackId: stackId(name),
  StackStatus: status as Stack['StackStatus'],
  CreationTime: new Date(0),
  RoleARN: DEPLOY_ROLE_ARN,
  Tags: [{ Key: 'sagemaker:project-id', Value: PROJECT.projectId }, { Key: 'stage', Value: 'x' }],
});
const MUTATIONS = [
  [aws.codePipeline, DisableStageTransitionCommand], [aws.cloudFormation, DeleteStackCommand], [aws.sageMaker, StopPipelineExecutionCommand],
  [aws.sageMaker, DeletePipelineCommand], [aws.sageMaker, DeleteModelPackageCommand], [aws.sageMaker, DeleteModelPackageGroupCommand],
  [aws.sageMaker, DeleteProjectCommand], [aws.logs, DeleteLogGroupCommand],
] as const;
const mutatingCalls = () => MUTATIONS.flatMap(([client, command]) => (client as any).commandCalls(command));

/** A live project: both stage stacks deployed, the seed's SageMaker pipeline upserted, one model version registered. */
function liveProject(projectExists = true) {
  aws.reset();
  const projectMissing = awsError('ValidationException', `Project ${PROJECT.projectName} does not exist`);
  if (projectExists) {
    aws.sageMaker.on(DescribeProjectCommand)
      .resolvesOnce({ ProjectName: PROJECT.projectName, ProjectId: PROJECT.projectId, ProjectStatus: 'CreateCompleted' })
      .rejects(projectMissing);
  } else {
    aws.sageMaker.on(DescribeProjectCommand).rejects(projectMissing);
  }
  for (const name of [STAGING, PROD]) {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: name }).resolves({ Stacks: [stack(name, 'UPDATE_COMPLETE')] });
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(name) }).rejects(stackMissing(stackId(name)));
  }
  aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [stack(STAGING, 'UPDATE_COMPLETE'), stack(PROD, 'UPDATE_COMPLETE')] });
  aws.cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources": {}}' });
  aws.sageMaker.on(DescribePipelineCommand).resolves({ PipelineName: SAGEMAKER_PIPELINE });
  aws.sageMaker.on(SearchCommand).resolves({ Results: [] });
  aws.sageMaker.on(ListPipelineExecutionsCommand).resolves({ PipelineExecutionSummaries: [] });
  aws.sageMaker.on(DescribeModelPackageGroupCommand)
    .resolvesOnce({ ModelPackageGroupName: MODEL_GROUP, ModelPackageGroupStatus: 'Completed' } as any)
    .rejects(awsError('ValidationException', `ModelPackageGroup ${MODEL_GROUP} does not exist`));
  aws.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
  if (!projectExists) aws.codePipeline.on(DisableStageTransitionCommand).rejects(new PipelineNotFoundException({ message: 'gone', $metadata: {} }));
  aws.sageMaker.on(ListModelPackagesCommand).resolves({ ModelPackageSummaryList: [{ ModelPackageArn: `${MODEL_GROUP}/1` } as any] });
}

describe('cleanUpProject', () => {
  test('--dry-run lists the stacks with the role that would delete them, the pipelines and what stays, and changes nothing', async () => {
    liveProject();
    const plan = await cleanUpProject(aws.ctx, request({ dryRun: true, deleteModels: true }));
    expect(mutatingCalls()).toEqual([]);
    expect(plan.stageStacks.map((s) => s.stackName)).toEqual([PROD, STAGING]);
    expect(aws.lines).toEqual(expect.arrayContaining([
      `would delete stack ${STAGING} (UPDATE_COMPLETE) with role ${DEPLOY_ROLE_ARN}`,
      `would delete SageMaker pipeline ${SAGEMAKER_PIPELINE} (running executions are stopped first)`,
      `would delete model package group ${MODEL_GROUP} and its 1 version(s)`,
      `would delete SageMaker project ${PROJECT.projectName} and its stack (repos, pipelines, roles)`,
      `  S3 bucket sagemaker-project-${PROJECT.projectId} (training data, model artifacts, pipeline artifacts)`,
    ]));
  });

  test('deletes in the order that works: freeze, stage stacks (deploy role), SageMaker pipeline, then the project', async () => {
    liveProject();
    await cleanUpProject(aws.ctx, request());
    const [freeze] = aws.codePipeline.commandCalls(DisableStageTransitionCommand);
    const stacks = aws.cloudFormation.commandCalls(DeleteStackCommand);
    const [pipeline] = aws.sageMaker.commandCalls(DeletePipelineCommand);
    const [project] = aws.sageMaker.commandCalls(DeleteProjectCommand);
    expect(stacks.map((c) => c.args[0].input.RoleARN)).toEqual([DEPLOY_ROLE_ARN, DEPLOY_ROLE_ARN]);
    expect(stacks.every((c) => freeze.calledBefore(c) && c.calledBefore(pipeline))).toBe(true);
    expect(pipeline.calledBefore(project)).toBe(true);
    // Retained by default: the models stay.
    expect(aws.sageMaker.commandCalls(DeleteModelPackageGroupCommand)).toHaveLength(0);
    expect(aws.lines).toContain(`  model package group ${MODEL_GROUP} and its versions (--delete-models deletes them)`);
  });

  test('--delete-models deletes the versions and the group before the project', async () => {
    liveProject();
    await cleanUpProject(aws.ctx, request({ deleteModels: true }));
    const [group] = aws.sageMaker.commandCalls(DeleteModelPackageGroupCommand);
    expect(aws.sageMaker.commandCalls(DeleteModelPackageCommand).map((c) => c.args[0].input.ModelPackageName)).toEqual([`${MODEL_GROUP}/1`]);
    expect(group.calledBefore(aws.sageMaker.commandCalls(DeleteProjectCommand)[0])).toBe(true);
  });

  test('a stage stack that cannot be deleted stops the run before the project (and its deploy role) is deleted', async () => {
    liveProject();
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(PROD) }).resolves({ Stacks: [stack(PROD, 'DELETE_FAILED')] });
    aws.cloudFormation.on(DescribeStackResourcesCommand).resolves({ StackResources: [] });
    await expect(cleanUpProject(aws.ctx, request())).rejects.toThrow(`${PROD} is DELETE_FAILED`);
    expect(aws.sageMaker.commandCalls(DeleteProjectCommand)).toHaveLength(0);
    expect(aws.sageMaker.commandCalls(DeletePipelineCommand)).toHaveLength(0);
  });

  test('--keep-project deletes what the project deployed but not the project', async () => {
    liveProject();
    await cleanUpProject(aws.ctx, request({ keepProject: true }));
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(2);
    expect(aws.sageMaker.commandCalls(DeleteProjectCommand)).toHaveLength(0);
  });

  test('an id that is not the named project\'s is refused before anything changes', async () => {
    liveProject();
    await expect(cleanUpProject(aws.ctx, request({ projectId: 'p-zzzzzzzzzzzz' })))
      .rejects.toThrow(`SageMaker project ${PROJECT.projectName} has id ${PROJECT.projectId}, not p-zzzzzzzzzzzz: nothing was changed`);
    expect(mutatingCalls()).toEqual([]);
  });

  test('a project already deleted needs --project-id, then what it left behind is deleted (its pipelines are gone, no DeleteProject)', async () => {
    liveProject(false);
    await expect(cleanUpProject(aws.ctx, request())).rejects.toThrow(/pass --project-id p-\.\.\. to delete what it left behind/);
    expect(mutatingCalls()).toEqual([]);

    await cleanUpProject(aws.ctx, request({ projectId: PROJECT.projectId }));
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(2);
    expect(aws.sageMaker.commandCalls(DeletePipelineCommand)).toHaveLength(1);
    expect(aws.sageMaker.commandCalls(DeleteProjectCommand)).toHaveLength(0);
  });
});

describe('cleanUpProject: endpoint product', () => {
  test('deletes the log groups SageMaker made for the project\'s endpoints, after the stage stacks', async () => {
    liveProject();
    const group = `/aws/sagemaker/Endpoints/sagemaker-${PROJECT.projectId}-prod`;
    aws.logs.on(DescribeLogGroupsCommand).resolves({ logGroups: [{ logGroupName: group }] });
    await cleanUpProject(aws.ctx, request());
    const [deletion] = aws.logs.commandCalls(DeleteLogGroupCommand);
    expect(deletion.args[0].input).toEqual({ logGroupName: group });
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand).every((c) => c.calledBefore(deletion))).toBe(true);
  });
});
