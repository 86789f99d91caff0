import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LambdaServiceTarget, LambdaServiceTargetProps, PROMOTE_BUILDSPEC, STAGE_IMAGE_TAG_PREFIXES, STAGE_IMAGES_KEPT } from '../pipelines/lambda-service-target';
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

  test('runs a privileged build that receives the repository and the Lambda role', () => {
    const template = synthesize({});
    const [build] = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .filter((p: any) => p.Properties.Environment.PrivilegedMode === true);
    const names = build.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name);
    expect(names).toEqual(expect.arrayContaining(['ECR_REPOSITORY_URI', 'ECR_REPOSITORY_NAME', 'LAMBDA_EXECUTION_ROLE_ARN']));
  });
});
