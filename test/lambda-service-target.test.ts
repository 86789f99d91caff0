import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import {
  INFERENCE_STAGES, LAMBDA_DEPLOYMENT_CONFIGS, LambdaServiceTarget, LambdaServiceTargetProps, PROMOTE_BUILDSPEC, ROLLBACK_ALARMS,
  STAGE_IMAGE_TAG_PREFIXES, STAGE_IMAGES_KEPT,
} from '../pipelines/lambda-service-target';
import { ModelDeployPipeline } from '../pipelines/model-deploy-pipeline';

/** The target on its own, in a plain stack (the product's own template is covered in model-deploy-pipeline.test.ts). */
function synthesize(options: Partial<LambdaServiceTargetProps>): Template {
  const stack = new Stack(new App(), 'Test');
  const target = new LambdaServiceTarget({
    imageRepositoryName: 'sagemaker-p-abcdef123456-inference',
    lambdaExecutionRoleName: 'sagemaker-p-abcdef123456-inference-lambda',
    resourcePrefix: 'sagemaker-p-abcdef123456-',
    ...options,
  });
  const n = (suffix: string) => `sagemaker-abalone-p-abcdef123456-${suffix}`;
  new ModelDeployPipeline(stack, 'ModelDeploy', {
    project: { projectName: 'abalone', projectId: 'p-abcdef123456', artifactBucket: new s3.Bucket(stack, 'Bucket') },
    target,
    seedDirectory: path.join(__dirname, '..', 'seed-repos', 'model-deploy'),
    modelPackageGroupName: 'abalone-p-abcdef123456',
    eventsRole: new iam.Role(stack, 'Events', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') }),
    notificationTopic: new sns.Topic(stack, 'Notifications'),
    names: {
      repository: n('modeldeploy'),
      buildProject: n('modeldeploy'),
      testProject: n('modeldeploy-test'),
      promoteProject: n('modeldeploy-promote'),
      pipeline: n('modeldeploy'),
      stagingStack: n('deploy-staging'),
      prodStack: n('deploy-prod'),
      pushTriggerRule: 'sagemaker-p-abcdef123456-modeldeploy-on-push',
      modelApprovedRule: 'sagemaker-p-abcdef123456-model-approved',
      buildRole: 'sagemaker-p-abcdef123456-modeldeploy-build',
      testRole: 'sagemaker-p-abcdef123456-modeldeploy-test',
      promoteRole: 'sagemaker-p-abcdef123456-modeldeploy-promote',
      pipelineRole: 'sagemaker-p-abcdef123456-modeldeploy-pipeline',
      deployRole: 'sagemaker-p-abcdef123456-cfn-deploy',
    },
  });
  return Template.fromStack(stack);
}

describe('LambdaServiceTarget', () => {
  test('keeps the image repository and its images when the project is deleted, by default', () => {
    const template = synthesize({});
    template.hasResource('AWS::ECR::Repository', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    expect(JSON.stringify(template.toJSON())).not.toContain('EmptyOnDelete');
  });

  test('deletes the repository and its images with the project when the platform opts in', () => {
    const template = synthesize({ deleteImagesWithProject: true, maxImageCount: 3 });
    template.hasResource('AWS::ECR::Repository', {
      DeletionPolicy: 'Delete',
      Properties: { EmptyOnDelete: true, LifecyclePolicy: { LifecyclePolicyText: Match.anyValue() } },
    });
    const [repo] = Object.values(template.findResources('AWS::ECR::Repository'));
    const countRule = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules.find((r: any) => r.selection.tagStatus === 'any');
    expect(countRule.selection.countNumber).toBe(3);
  });

  test('the lifecycle rules can never expire an image a stage runs or may roll back to', () => {
    const template = synthesize({ maxImageCount: 3 });
    const [repo] = Object.values(template.findResources('AWS::ECR::Repository'));
    const rules = JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules.sort((a: any, b: any) => a.rulePriority - b.rulePriority);
    // ECR: an image selected by a rule is never expired by a rule of lower priority. So the stage rules
    // come first and keep the newest images tagged by scripts/tag-image.sh; the count rule comes last.
    expect(rules.map((r: any) => [r.selection.tagStatus, r.selection.tagPrefixList, r.selection.countNumber])).toEqual([
      ['tagged', [STAGE_IMAGE_TAG_PREFIXES.prod], STAGE_IMAGES_KEPT],
      ['tagged', [STAGE_IMAGE_TAG_PREFIXES.staging], STAGE_IMAGES_KEPT],
      ['any', undefined, 3],
    ]);
    const tagScript = fs.readFileSync(path.join(__dirname, '..', 'seed-repos', 'model-deploy', 'scripts', 'tag-image.sh'), 'utf8');
    expect(tagScript).toContain('stage_tag="${stage}-');
  });

  test('after each prod deployment a step tags the image prod runs, with only BatchGetImage and PutImage on the repository', () => {
    const template = synthesize({});
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as any;
    const prod = pipeline.Properties.Stages.find((s: any) => s.Name === 'DeployProd');
    expect(prod.Actions.map((a: any) => [a.Name, a.RunOrder])).toEqual([['DeployProd', 1], ['MarkProdRelease', 2]]);
    expect(JSON.parse(prod.Actions[1].Configuration.EnvironmentVariables)).toEqual([{ name: 'IMAGE_TAG', type: 'PLAINTEXT', value: '#{Build.IMAGE_TAG}' }]);
    const build = pipeline.Properties.Stages.find((s: any) => s.Name === 'Build').Actions[0];
    expect(build.Namespace).toBe('Build');
    const buildspec = fs.readFileSync(path.join(__dirname, '..', 'seed-repos', 'model-deploy', PROMOTE_BUILDSPEC), 'utf8');
    expect(buildspec).toContain('bash scripts/tag-image.sh prod');
    const seedBuildspec = fs.readFileSync(path.join(__dirname, '..', 'seed-repos', 'model-deploy', 'buildspec.yml'), 'utf8');
    expect(seedBuildspec).toMatch(/exported-variables:\n\s+- IMAGE_TAG/);
  });

  test('runs a privileged build that receives the repository, the Lambda role and the CodeDeploy role', () => {
    const template = synthesize({});
    const [build] = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .filter((p: any) => p.Properties.Environment.PrivilegedMode === true);
    const names = build.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name);
    expect(names).toEqual(expect.arrayContaining(['ECR_REPOSITORY_URI', 'ECR_REPOSITORY_NAME', 'LAMBDA_EXECUTION_ROLE_ARN', 'CODEDEPLOY_ROLE_ARN']));
  });

  test('creates the CodeDeploy role the deploy stacks shift their live alias with, trusted by CodeDeploy only', () => {
    const template = synthesize({});
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'sagemaker-p-abcdef123456-inference-codedeploy',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' }, Action: 'sts:AssumeRole' })] },
    });
  });

  test('the CodeDeploy role may only read the stages\' rollback alarms and shift the stages\' live aliases', () => {
    const template = synthesize({});
    const [roleId] = Object.entries(template.findResources('AWS::IAM::Role'))
      .find(([, r]: [string, any]) => r.Properties.RoleName === 'sagemaker-p-abcdef123456-inference-codedeploy')!;
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p: any) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    const statements = policies.flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    expect(statements.map((st: any) => [st.Sid, [].concat(st.Action).sort()])).toEqual([
      ['ShiftTheLiveAlias', ['lambda:GetAlias', 'lambda:GetProvisionedConcurrencyConfig', 'lambda:UpdateAlias']],
      ['ReadTheRollbackAlarms', ['cloudwatch:DescribeAlarms']],
    ]);
    const resources = JSON.stringify(statements.map((st: any) => st.Resource));
    for (const stage of INFERENCE_STAGES) {
      for (const alarm of ROLLBACK_ALARMS) expect(resources).toContain(`:alarm:sagemaker-p-abcdef123456-${stage}-${alarm}`);
      expect(resources).toContain(`:function:sagemaker-p-abcdef123456-${stage}-inference:live`);
    }
    expect(resources).not.toContain('*');
  });

  test('the deploy role manages only the stages\' CodeDeploy applications and deployment groups, by name, and passes the CodeDeploy role only to CodeDeploy', () => {
    const template = synthesize({});
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement);
    const bySid = (sid: string) => statements.find((st: any) => st.Sid === sid);
    const apps = JSON.stringify(bySid('ProjectCodeDeployApplications').Resource);
    for (const stage of INFERENCE_STAGES) {
      const name = `sagemaker-p-abcdef123456-${stage}-inference`;
      expect(apps).toContain(`:application:${name}`);
      expect(apps).toContain(`:deploymentgroup:${name}/${name}`);
    }
    expect(apps).not.toContain('*');
    expect(bySid('PredefinedLambdaDeploymentConfigs').Resource).toHaveLength(LAMBDA_DEPLOYMENT_CONFIGS.length);
    expect(bySid('PassOnlyTheCodeDeployRole').Condition).toEqual({ StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } });
    expect(bySid('StopDeployments')).toMatchObject({ Action: 'codedeploy:StopDeployment', Resource: '*' });
  });

  test('the deploy role grants no SNS or KMS action (alarms publish to the topic as CloudWatch)', () => {
    const template = synthesize({});
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement).flatMap((st: any) => [].concat(st.Action));
    expect(actions.filter((a: string) => /^(sns|kms):/.test(a))).toEqual([]);
  });
});
