import { Match, Template } from 'aws-cdk-lib/assertions';
import { PRODUCT_KINDS, productTemplate, resourcesOfType } from './synthesized-app';
import { NOTIFICATION_EMAIL_PARAMETER, NOTIFICATION_EMAIL_PATTERN } from '../pipelines/project-notifications';
import { PROJECT_ID_PARAMETER } from '../product/sagemaker-project';

const topicName = { 'Fn::Join': ['', ['sagemaker-', { Ref: PROJECT_ID_PARAMETER }, '-notifications']] };
const thisAccount = { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } };

describe.each(PRODUCT_KINDS)('the project\'s notification topic (%s product)', (kind) => {
  const json = productTemplate(kind);
  const template = Template.fromJSON(json);
  const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic', { Properties: { TopicName: topicName } }));

  test('one topic per project, encrypted with a project key that rotates and is deleted with the project', () => {
    expect(resourcesOfType(json, 'AWS::SNS::Topic')).toHaveLength(1);
    const [keyId] = Object.keys(template.findResources('AWS::KMS::Key'));
    template.hasResourceProperties('AWS::SNS::Topic', { TopicName: topicName, KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] } });
    template.hasResource('AWS::KMS::Key', { Properties: { EnableKeyRotation: true, PendingWindowInDays: 7 }, DeletionPolicy: 'Delete' });
  });

  test('CloudWatch alarms and EventBridge rules of this account can publish, through the topic policy and the key policy', () => {
    for (const service of ['cloudwatch.amazonaws.com', 'events.amazonaws.com']) {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { Service: service }, Action: 'sns:Publish', Condition: thisAccount })]) },
      });
      template.hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Allow', Principal: { Service: service }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'], Condition: thisAccount })]) },
      });
    }
  });

  test('no service may publish without the source-account condition (no confused deputy)', () => {
    const statements = Object.values(template.findResources('AWS::SNS::TopicPolicy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const unconditioned = statements.filter((s: any) => s.Effect === 'Allow' && s.Principal?.Service && !s.Condition);
    expect(unconditioned).toEqual([]);
  });

  test('the launch form stays optional: the e-mail address defaults to empty, and only a set address subscribes', () => {
    template.hasParameter(NOTIFICATION_EMAIL_PARAMETER, { Type: 'String', Default: '', AllowedPattern: NOTIFICATION_EMAIL_PATTERN });
    const subscription = template.findResources('AWS::SNS::Subscription');
    expect(Object.values(subscription)).toEqual([expect.objectContaining({
      Condition: expect.any(String),
      Properties: { Protocol: 'email', Endpoint: { Ref: NOTIFICATION_EMAIL_PARAMETER }, TopicArn: { Ref: topicId } },
    })]);
    const condition = (json as any).Conditions[Object.values(subscription)[0].Condition];
    expect(condition).toEqual({ 'Fn::Not': [{ 'Fn::Equals': [{ Ref: NOTIFICATION_EMAIL_PARAMETER }, ''] }] });
  });

  test('the e-mail pattern accepts empty or one address and refuses anything else', () => {
    const pattern = new RegExp(NOTIFICATION_EMAIL_PATTERN);
    expect(['', 'ml-team@example.com', 'a.b+c@sub.example.org'].filter((v) => !pattern.test(v))).toEqual([]);
    expect(['ml-team', 'a@b', 'two@example.com other@example.com', ' @example.com'].filter((v) => pattern.test(v))).toEqual([]);
  });

  test('failed runs and pending approvals of both pipelines, and models waiting for approval, are published to the topic', () => {
    const pipelines = Object.keys(template.findResources('AWS::CodePipeline::Pipeline')).map((id) => ({ Ref: id }));
    expect(pipelines).toHaveLength(2);
    const target = Match.arrayWith([Match.objectLike({ Arn: { Ref: topicId }, InputTransformer: Match.anyValue() })]);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'source': ['aws.codepipeline'], 'detail-type': ['CodePipeline Pipeline Execution State Change'], 'detail': { pipeline: pipelines, state: ['FAILED'] } },
      Targets: target,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { 'detail-type': ['CodePipeline Action Execution State Change'], 'detail': { pipeline: pipelines, state: ['STARTED'], type: { category: ['Approval'] } } },
      Targets: target,
    });
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.sagemaker'], detail: Match.objectLike({ ModelApprovalStatus: ['PendingManualApproval'] }) },
      Targets: target,
    });
  });

  test('the ModelDeploy build hands the topic to the deploy templates (NOTIFICATION_TOPIC_ARN), so their alarms notify it', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('-modeldeploy$')])] }),
      Environment: { EnvironmentVariables: Match.arrayWith([{ Name: 'NOTIFICATION_TOPIC_ARN', Type: 'PLAINTEXT', Value: { Ref: topicId } }]) },
    });
  });
});
