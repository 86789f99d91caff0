import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { LambdaServiceTarget, LambdaServiceTargetProps } from '../pipelines/lambda-service-target';
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
      pipeline: n('modeldeploy'),
      stagingStack: n('deploy-staging'),
      prodStack: n('deploy-prod'),
      pushTriggerRule: 'sagemaker-p-abcdef123456-modeldeploy-on-push',
      modelApprovedRule: 'sagemaker-p-abcdef123456-model-approved',
      buildRole: 'sagemaker-p-abcdef123456-modeldeploy-build',
      testRole: 'sagemaker-p-abcdef123456-modeldeploy-test',
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
    expect(JSON.parse(repo.Properties.LifecyclePolicy.LifecyclePolicyText).rules[0].selection.countNumber).toBe(3);
  });

  test('runs a privileged build that receives the repository and the Lambda role', () => {
    const template = synthesize({});
    const [build] = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .filter((p: any) => p.Properties.Environment.PrivilegedMode === true);
    const names = build.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name);
    expect(names).toEqual(expect.arrayContaining(['ECR_REPOSITORY_URI', 'ECR_REPOSITORY_NAME', 'LAMBDA_EXECUTION_ROLE_ARN']));
  });
});
