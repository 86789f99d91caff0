import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { WaitOptions } from './poll';

/** The clients, output and waiting policy every clean-up step uses (one region, one account). */
export interface CleanupContext {
  readonly cloudFormation: CloudFormationClient;
  readonly sageMaker: SageMakerClient;
  readonly codePipeline: CodePipelineClient;
  readonly logs: CloudWatchLogsClient;
  /** One line of progress for the operator. */
  readonly log: (line: string) => void;
  readonly wait: WaitOptions;
}
