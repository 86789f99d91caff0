import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { mockClient } from 'aws-sdk-client-mock';
import { CleanupContext } from '../../scripts/cleanup/cleanup-context';

/** The project every clean-up test works on, and the physical names the template gives it. */
export const PROJECT = { projectName: 'Churn-2026', projectId: 'p-abcdefghijkl' };
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const STAGING = 'sagemaker-Churn-2026-p-abcdefghijkl-deploy-staging';
export const PROD = 'sagemaker-Churn-2026-p-abcdefghijkl-deploy-prod';
export const DEPLOY_ROLE_ARN = `arn:aws:iam::${ACCOUNT}:role/sagemaker-p-abcdefghijkl-cfn-deploy`;
export const SAGEMAKER_PIPELINE = 'Churn-2026-p-abcdefghijkl';
export const MODEL_GROUP = 'Churn-2026-p-abcdefghijkl';

export const stackId = (name: string) => `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0a1b2c3d-0000-4000-8000-${name.length.toString().padStart(12, '0')}`;

/** An AWS service error as SDK v3 raises it: the error code is `name`. */
export function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

export const stackMissing = (name: string) => awsError('ValidationError', `Stack with id ${name} does not exist`);

/** Mocked clients (every SDK call answered by aws-sdk-client-mock), a log that records lines, and an instant wait. */
export function fakeAws() {
  const cloudFormation = mockClient(CloudFormationClient);
  const sageMaker = mockClient(SageMakerClient);
  const codePipeline = mockClient(CodePipelineClient);
  const logs = mockClient(CloudWatchLogsClient);
  const lines: string[] = [];
  const sleeps: number[] = [];
  const clients = {
    cloudFormation: new CloudFormationClient({ region: REGION }),
    sageMaker: new SageMakerClient({ region: REGION }),
    codePipeline: new CodePipelineClient({ region: REGION }),
    logs: new CloudWatchLogsClient({ region: REGION }),
  };
  const ctx: CleanupContext = {
    ...clients,
    log: (line) => lines.push(line),
    wait: { intervalMs: 1000, timeoutMs: 5000, sleep: async (ms) => { sleeps.push(ms); } },
  };
  const reset = () => {
    cloudFormation.reset();
    sageMaker.reset();
    codePipeline.reset();
    logs.reset();
    lines.length = 0;
    sleeps.length = 0;
  };
  return { cloudFormation, sageMaker, codePipeline, logs, clients, ctx, lines, sleeps, reset };
}
