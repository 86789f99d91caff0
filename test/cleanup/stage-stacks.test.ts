import {
  DeleteStackCommand, DescribeStackResourcesCommand, DescribeStacksCommand, GetTemplateCommand, Stack,
} from '@aws-sdk/client-cloudformation';
import { ACCOUNT, awsError, DEPLOY_ROLE_ARN, fakeAws, PROD, PROJECT, STAGING, stackId, stackMissing } from './fakes';
import { CleanupError } from '../../scripts/cleanup/errors';
import { deleteStageStacks, deployRoleArn, findStageStacks, isTaggedDeployStack, StageStack } from '../../scripts/cleanup/stage-stacks';

const aws = fakeAws();
const projectTags = [{ Key: 'sagemaker:project-name', Value: PROJECT.projectName }, { Key: 'sagemaker:project-id', Value: PROJECT.projectId }];
const stack = (name: string, status: string, extra: Partial<Stack> = {}): Stack => ({
  StackName: name,
  StackId: stackId(name),
  StackStatus: status as Stack['StackStatus'],
  CreationTime: new Date(0),
  RoleARN: DEPLOY_ROLE_ARN,
  Tags: [...projectTags, { Key: 'stage', Value: name.endsWith('prod') ? 'prod' : 'staging' }],
  ...extra,
});
const stageStack = (name: string, status: string): StageStack =>
  ({ stackName: name, stackId: stackId(name), status, deleteRoleArn: DEPLOY_ROLE_ARN, retained: [] });

beforeEach(() => {
  aws.reset();
  aws.cloudFormation.on(GetTemplateCommand).resolves({ TemplateBody: '{"Resources": {}}' });
});

describe('findStageStacks', () => {
  test('finds the staging and prod stacks by name, each deleted with the project deploy role of the stack\'s account', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: STAGING }).resolves({ Stacks: [stack(STAGING, 'UPDATE_COMPLETE')] });
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: PROD }).resolves({ Stacks: [stack(PROD, 'CREATE_COMPLETE')] });
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [] });
    const found = await findStageStacks(aws.ctx, PROJECT);
    expect(found.map((s) => [s.stackName, s.status, s.deleteRoleArn])).toEqual([
      [PROD, 'CREATE_COMPLETE', DEPLOY_ROLE_ARN],
      [STAGING, 'UPDATE_COMPLETE', DEPLOY_ROLE_ARN],
    ]);
  });

  test('finds a deploy stack by the project tags too, but never the project\'s own Service Catalog stack, a nested stack or another project\'s stack', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: STAGING }).rejects(stackMissing(STAGING));
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: PROD }).rejects(stackMissing(PROD));
    const extra = stack('churn-canary', 'CREATE_COMPLETE');
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolvesOnce({
      Stacks: [
        extra,
        stack('SC-111122223333-pp-abc', 'CREATE_COMPLETE', {
          RoleARN: `arn:aws:iam::${ACCOUNT}:role/launch`, Tags: [...projectTags, { Key: 'aws:servicecatalog:provisionedProductArn', Value: 'arn' }],
        }),
      ],
      NextToken: 'page-2',
    }).resolves({
      Stacks: [
        stack('churn-canary-nested', 'CREATE_COMPLETE', { ParentId: stackId('churn-canary') }),
        stack('other-project', 'CREATE_COMPLETE', { Tags: [{ Key: 'sagemaker:project-id', Value: 'p-zzzzzzzzzzzz' }, { Key: 'stage', Value: 'prod' }] }),
      ],
    });
    const found = await findStageStacks(aws.ctx, PROJECT);
    expect(found.map((s) => s.stackName)).toEqual(['churn-canary']);
    // Both pages of the account's stacks were read.
    expect(aws.cloudFormation.commandCalls(DescribeStacksCommand, { StackName: undefined })).toHaveLength(2);
  });

  test('a stack already deleted (by name: "does not exist"; or listed as DELETE_COMPLETE) is not listed', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: STAGING }).rejects(stackMissing(STAGING));
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: PROD }).resolves({ Stacks: [stack(PROD, 'DELETE_COMPLETE')] });
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [] });
    expect(await findStageStacks(aws.ctx, PROJECT)).toEqual([]);
  });

  test('lists the resources a stack\'s template retains, from a YAML template with short-form intrinsics', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: STAGING }).resolves({ Stacks: [stack(STAGING, 'UPDATE_COMPLETE')] });
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: PROD }).rejects(stackMissing(PROD));
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [] });
    aws.cloudFormation.on(GetTemplateCommand, { StackName: stackId(STAGING) }).resolves({
      TemplateBody: [
        'Resources:',
        '  Endpoint:', '    Type: AWS::SageMaker::Endpoint', '    Properties:', '      EndpointConfigName: !GetAtt Config.EndpointConfigName',
        '  Logs:', '    Type: AWS::Logs::LogGroup', '    DeletionPolicy: Retain', '    Properties:', '      LogGroupName: !Sub "/x/${AWS::StackName}"',
        '  Volume:', '    Type: AWS::EC2::Volume', '    DeletionPolicy: Snapshot',
      ].join('\n'),
    });
    const [found] = await findStageStacks(aws.ctx, PROJECT);
    expect(found.retained).toEqual(['Logs (AWS::Logs::LogGroup)', 'Volume (AWS::EC2::Volume)']);
  });

  test('--role-arn replaces the deploy role (the project stack, and with it the role, is already gone)', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: STAGING }).resolves({ Stacks: [stack(STAGING, 'UPDATE_COMPLETE')] });
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: PROD }).rejects(stackMissing(PROD));
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: undefined }).resolves({ Stacks: [] });
    const admin = `arn:aws:iam::${ACCOUNT}:role/platform-admin`;
    expect((await findStageStacks(aws.ctx, PROJECT, admin))[0].deleteRoleArn).toBe(admin);
  });
});

describe('isTaggedDeployStack / deployRoleArn', () => {
  test('a stack with the project id tag deployed with the deploy role counts even without the stage tag', () => {
    expect(isTaggedDeployStack(stack('x', 'CREATE_COMPLETE', { Tags: projectTags }), PROJECT.projectId, 'sagemaker-p-abcdefghijkl-cfn-deploy')).toBe(true);
    expect(isTaggedDeployStack(stack('x', 'CREATE_COMPLETE', { Tags: projectTags, RoleARN: undefined }), PROJECT.projectId, 'sagemaker-p-abcdefghijkl-cfn-deploy')).toBe(false);
  });

  test('the deploy role ARN keeps the stack\'s partition and account', () => {
    expect(deployRoleArn('arn:aws-cn:cloudformation:cn-north-1:444455556666:stack/s/1', 'sagemaker-p-abcdefghijkl-cfn-deploy'))
      .toBe('arn:aws-cn:iam::444455556666:role/sagemaker-p-abcdefghijkl-cfn-deploy');
  });
});

describe('deleteStageStacks', () => {
  test('deletes each stack by id with RoleARN set to the project deploy role, and waits until DELETE_COMPLETE', async () => {
    for (const name of [STAGING, PROD]) {
      aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(name) })
        .resolvesOnce({ Stacks: [stack(name, 'DELETE_IN_PROGRESS')] })
        .resolves({ Stacks: [stack(name, 'DELETE_COMPLETE')] });
    }
    await deleteStageStacks(aws.ctx, [stageStack(STAGING, 'UPDATE_COMPLETE'), stageStack(PROD, 'UPDATE_ROLLBACK_FAILED')]);
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand).map((c) => c.args[0].input)).toEqual([
      { StackName: stackId(STAGING), RoleARN: DEPLOY_ROLE_ARN },
      { StackName: stackId(PROD), RoleARN: DEPLOY_ROLE_ARN },
    ]);
    expect(aws.cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(4);
    expect(aws.lines).toContain(`deleted stack ${PROD}`);
  });

  test('a ROLLBACK_COMPLETE stack (failed first deployment) is deleted like any other', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(PROD) }).rejects(stackMissing(stackId(PROD)));
    await deleteStageStacks(aws.ctx, [stageStack(PROD, 'ROLLBACK_COMPLETE')]);
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(1);
  });

  test('a DELETE_FAILED stack is deleted again; failing again, the error names each failed resource and its reason', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(PROD) }).resolves({ Stacks: [stack(PROD, 'DELETE_FAILED')] });
    aws.cloudFormation.on(DescribeStackResourcesCommand).resolves({
      StackResources: [
        { LogicalResourceId: 'Function', ResourceType: 'AWS::Lambda::Function', ResourceStatus: 'DELETE_COMPLETE', Timestamp: new Date(0) },
        { LogicalResourceId: 'Endpoint', ResourceType: 'AWS::SageMaker::Endpoint', ResourceStatus: 'DELETE_FAILED', ResourceStatusReason: 'not authorized to perform: sagemaker:DeleteEndpoint', Timestamp: new Date(0) },
      ],
    });
    const failure = deleteStageStacks(aws.ctx, [stageStack(PROD, 'DELETE_FAILED')]);
    await expect(failure).rejects.toThrow(CleanupError);
    await expect(failure).rejects.toThrow(/is DELETE_FAILED[\s\S]*Endpoint \(AWS::SageMaker::Endpoint\): not authorized to perform: sagemaker:DeleteEndpoint/);
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(1);
  });

  test('a stack already DELETE_IN_PROGRESS is only waited for', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(STAGING) }).resolves({ Stacks: [stack(STAGING, 'DELETE_COMPLETE')] });
    await deleteStageStacks(aws.ctx, [stageStack(STAGING, 'DELETE_IN_PROGRESS')]);
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand)).toHaveLength(0);
  });

  test('a stack being deployed (UPDATE_IN_PROGRESS) is refused with the reason, and the other stack is still deleted', async () => {
    aws.cloudFormation.on(DescribeStacksCommand, { StackName: stackId(STAGING) }).rejects(stackMissing(stackId(STAGING)));
    const failure = deleteStageStacks(aws.ctx, [stageStack(STAGING, 'UPDATE_COMPLETE'), stageStack(PROD, 'UPDATE_IN_PROGRESS')]);
    await expect(failure).rejects.toThrow(`${PROD} is UPDATE_IN_PROGRESS: a deployment is running`);
    expect(aws.cloudFormation.commandCalls(DeleteStackCommand).map((c) => c.args[0].input.StackName)).toEqual([stackId(STAGING)]);
  });

  test('a deploy role that no longer exists is explained, with --role-arn as the way out', async () => {
    aws.cloudFormation.on(DeleteStackCommand).rejects(awsError('ValidationError', `Role ${DEPLOY_ROLE_ARN} is invalid or cannot be assumed`));
    await expect(deleteStageStacks(aws.ctx, [stageStack(STAGING, 'UPDATE_COMPLETE')]))
      .rejects.toThrow(/does not exist or CloudFormation cannot assume it[\s\S]*Pass --role-arn/);
  });

  test('a caller without iam:PassRole on the deploy role is told so', async () => {
    aws.cloudFormation.on(DeleteStackCommand).rejects(awsError('AccessDenied', 'User is not authorized to perform: iam:PassRole'));
    await expect(deleteStageStacks(aws.ctx, [stageStack(STAGING, 'UPDATE_COMPLETE')]))
      .rejects.toThrow(`iam:PassRole on ${DEPLOY_ROLE_ARN}`);
  });

  test('a deletion that never ends times out with a message naming the stack', async () => {
    aws.cloudFormation.on(DescribeStacksCommand).resolves({ Stacks: [stack(STAGING, 'DELETE_IN_PROGRESS')] });
    await expect(deleteStageStacks(aws.ctx, [stageStack(STAGING, 'UPDATE_COMPLETE')]))
      .rejects.toThrow(`waiting for ${STAGING} to be deleted`);
    // timeout 5 s / interval 1 s: five checks, four pauses
    expect(aws.cloudFormation.commandCalls(DescribeStacksCommand)).toHaveLength(5);
    expect(aws.sleeps).toEqual([1000, 1000, 1000, 1000]);
  });
});
