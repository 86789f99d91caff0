import { Aws, CfnCondition, CfnParameter, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';

/** The launch form field for an optional e-mail subscription; empty (the default) subscribes no one. */
export const NOTIFICATION_EMAIL_PARAMETER = 'NotificationEmail';
/** Empty, or one plain address: SNS confirms it by mail before anything is delivered. */
export const NOTIFICATION_EMAIL_PATTERN = '^$|^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$';

export interface ProjectNotificationsNames {
  readonly topic: string;
  readonly pipelineFailedRule: string;
  readonly approvalNeededRule: string;
  readonly modelRegisteredRule: string;
}

/** What the project announces besides its alarms. */
export interface AnnouncedEvents {
  /** The pipelines whose failed runs and pending approvals are announced. */
  readonly pipelines: codepipeline.IPipeline[];
  /** Model versions registered here and waiting for approval are announced. */
  readonly modelPackageGroupName: string;
}

/**
 * The project's one notification topic: the deploy stacks' alarms, failed pipeline runs, pending
 * approvals and newly registered models all publish to it, so one subscription hears everything.
 *
 * Encrypted with a key of its own: CloudWatch alarms cannot publish to a topic encrypted with the
 * AWS-managed aws/sns key, whose policy cannot be changed to let cloudwatch.amazonaws.com use it
 * (Amazon SNS developer guide, "Configure AWS KMS permissions for AWS services"). The key is
 * deleted with the project after KMS's shortest waiting period; a key pending deletion costs nothing.
 */
export class ProjectNotifications extends Construct {
  readonly topic: sns.Topic;
  readonly key: kms.Key;
  private readonly names: ProjectNotificationsNames;

  constructor(scope: Construct, id: string, names: ProjectNotificationsNames) {
    super(scope, id);
    this.names = names;
    this.key = new kms.Key(this, 'Key', {
      description: `Encrypts the notification topic ${names.topic}`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Nothing here needs grants; only AWS services acting for a resource may create one (Control Tower CT.KMS.PR.3).
    this.key.addToResourcePolicy(new iam.PolicyStatement({
      sid: 'GrantsOnlyForAwsResources',
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }));
    this.topic = new sns.Topic(this, 'Topic', {
      topicName: names.topic,
      displayName: 'SageMaker project notifications',
      masterKey: this.key,
      enforceSSL: true,
    });
    // CloudWatch (alarm state changes) and EventBridge (the rules below) publish as their service principals,
    // only for this account's resources (Amazon SNS developer guide, "Preventing cross-service confused deputy").
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      this.topic.grantPublish(new iam.ServicePrincipal(service).withConditions({ StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } }));
    }

    const email = new CfnParameter(this, NOTIFICATION_EMAIL_PARAMETER, {
      type: 'String',
      default: '',
      allowedPattern: NOTIFICATION_EMAIL_PATTERN,
      description: 'Optional: an e-mail address that receives the project\'s alarms, failed pipeline runs and pending approvals (confirm the subscription mail first)',
      constraintDescription: 'must be empty or one e-mail address',
    });
    email.overrideLogicalId(NOTIFICATION_EMAIL_PARAMETER);
    const hasEmail = new CfnCondition(this, 'HasNotificationEmail', { expression: Fn.conditionNot(Fn.conditionEquals(email.valueAsString, '')) });
    const subscription = new sns.CfnSubscription(this, 'EmailSubscription', {
      topicArn: this.topic.topicArn,
      protocol: 'email',
      endpoint: email.valueAsString,
    });
    subscription.cfnOptions.condition = hasEmail;
  }

  /** EventBridge rules that publish failed runs, pending approvals and registered models to the topic. */
  announce(props: AnnouncedEvents): void {
    const pipelineNames = props.pipelines.map((p) => p.pipelineName);
    const announce = (ruleId: string, ruleName: string, description: string, eventPattern: events.EventPattern, message: string) =>
      new events.Rule(this, ruleId, {
        ruleName,
        description,
        eventPattern,
        // Not aws-events-targets' SnsTopic: it grants events.amazonaws.com without the source condition above.
        targets: [{ bind: () => ({ arn: this.topic.topicArn, input: events.RuleTargetInput.fromText(message) }) }],
      });
    announce('PipelineFailed', this.names.pipelineFailedRule, 'Announces failed runs of the project\'s pipelines', {
      source: ['aws.codepipeline'],
      detailType: ['CodePipeline Pipeline Execution State Change'],
      detail: { pipeline: pipelineNames, state: ['FAILED'] },
    }, `Pipeline ${events.EventField.fromPath('$.detail.pipeline')} failed (execution ${events.EventField.fromPath('$.detail.execution-id')}). `
      + 'Open it in the CodePipeline console to see the failed action and its logs.');
    announce('ApprovalNeeded', this.names.approvalNeededRule, 'Announces deployments waiting for manual approval', {
      source: ['aws.codepipeline'],
      detailType: ['CodePipeline Action Execution State Change'],
      detail: { pipeline: pipelineNames, state: ['STARTED'], type: { category: ['Approval'] } },
    }, `Pipeline ${events.EventField.fromPath('$.detail.pipeline')} waits for approval at ${events.EventField.fromPath('$.detail.stage')}.`);
    announce('ModelRegistered', this.names.modelRegisteredRule, `Announces model versions registered in ${props.modelPackageGroupName} that wait for approval`, {
      source: ['aws.sagemaker'],
      detailType: ['SageMaker Model Package State Change'],
      detail: { ModelPackageGroupName: [props.modelPackageGroupName], ModelApprovalStatus: ['PendingManualApproval'] },
    }, `Model version ${events.EventField.fromPath('$.detail.ModelPackageVersion')} of ${props.modelPackageGroupName} was registered and waits for approval `
      + '(SageMaker Studio: Models → Registered models).');
  }
}
