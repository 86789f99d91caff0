import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { PRODUCT_KINDS, productTemplate, projectRole, resourcesOfType, roleStatements, SYNTH_DIR } from './synthesized-app';
import { PROJECT_ID_PARAMETER, PROJECT_NAME_PARAMETER } from '../product/sagemaker-project';

const json = productTemplate();
const roleNamed = (suffix: string) => projectRole(json, suffix);
const statementsOf = (roleId: string) => roleStatements(json, roleId);
const template = Template.fromJSON(json);
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const nameRef = { Ref: PROJECT_NAME_PARAMETER };
const idRef = { Ref: PROJECT_ID_PARAMETER };


describe('ModelBuildPipeline', () => {
  test('the repo is sagemaker-<name>-<id>-modelbuild, seeded on main from the product assets', () => {
    template.hasResourceProperties('AWS::CodeCommit::Repository', {
      RepositoryName: join('sagemaker-', nameRef, '-', idRef, '-modelbuild'),
      Code: { BranchName: 'main', S3: { Bucket: Match.anyValue(), Key: Match.stringLikeRegexp('\\.zip$') } },
    });
  });

  test('the build runs the repo\'s own buildspec with the contract\'s environment variables', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Name: join('sagemaker-', nameRef, '-', idRef, '-modelbuild'),
      Source: { Type: 'CODEPIPELINE', BuildSpec: 'buildspec.yml' },
      Environment: {
        EnvironmentVariables: Match.arrayWith([
          Match.objectLike({ Name: 'SAGEMAKER_PROJECT_NAME', Value: nameRef }),
          Match.objectLike({ Name: 'SAGEMAKER_PROJECT_ID', Value: idRef }),
          Match.objectLike({ Name: 'ARTIFACT_BUCKET' }),
          Match.objectLike({ Name: 'SAGEMAKER_PIPELINE_NAME', Value: join(nameRef, '-', idRef) }),
          Match.objectLike({ Name: 'SAGEMAKER_PIPELINE_ROLE_ARN' }),
        ]),
      },
    });
  });

  test('the seed buildspec reads exactly the variables the build project sets (plus AWS_REGION from CodeBuild)', () => {
    const buildspec = fs.readFileSync(path.join(__dirname, '..', 'seed-repos', 'model-build', 'buildspec.yml'), 'utf8');
    const used = new Set([...buildspec.matchAll(/\$\{?([A-Z][A-Z0-9_]+)\}?/g)].map((m) => m[1]));
    const [[, project]] = resourcesOfType(json, 'AWS::CodeBuild::Project').filter(([, r]) => JSON.stringify(r.Properties.Name).includes('-modelbuild'));
    const set = new Set(project.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name));
    const fromBuildspecOrCodeBuild = ['AWS_REGION', 'INPUT_DATA_KEY', 'PYTHONUNBUFFERED', 'SAGEMAKER_SUPPRESS_V2_WARNING', 'CODEBUILD_RESOLVED_SOURCE_VERSION'];
    expect([...used].filter((v) => !set.has(v) && !fromBuildspecOrCodeBuild.includes(v))).toEqual([]);
  });

  test('the CodePipeline is V2, Source on main then Build, with the project bucket as artifact store', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Name: join('sagemaker-', nameRef, '-', idRef, '-modelbuild'),
      PipelineType: 'V2',
      ArtifactStore: { Type: 'S3', Location: { Ref: Match.stringLikeRegexp('ArtifactBucket') } },
      Stages: [
        Match.objectLike({ Name: 'Source', Actions: [Match.objectLike({ Configuration: Match.objectLike({ BranchName: 'main', PollForSourceChanges: false }) })] }),
        Match.objectLike({ Name: 'Build' }),
      ],
    });
  });

  test('pushes to main start it through a named EventBridge rule', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: join('sagemaker-', idRef, '-modelbuild-on-push'),
      EventPattern: {
        'source': ['aws.codecommit'],
        'detail-type': ['CodeCommit Repository State Change'],
        'detail': { event: ['referenceCreated', 'referenceUpdated'], referenceType: ['branch'], referenceName: ['main'] },
      },
      Targets: [Match.objectLike({ RoleArn: Match.anyValue() })],
    });
  });

  test('the model package group is <name>-<id>', () => {
    template.hasResourceProperties('AWS::SageMaker::ModelPackageGroup', { ModelPackageGroupName: join(nameRef, '-', idRef) });
  });

  test.each(PRODUCT_KINDS)('%s product: the model package group and its versions outlive the project stack (Retain: deleting it fails while it holds versions)', (kind) => {
    const groups = resourcesOfType(productTemplate(kind), 'AWS::SageMaker::ModelPackageGroup');
    expect(groups.map(([, r]) => [r.DeletionPolicy, r.UpdateReplacePolicy])).toEqual([['Retain', 'Retain']]);
  });

  test('the build role passes only the pipeline execution role, only to SageMaker', () => {
    const [buildRoleId] = roleNamed('-modelbuild-build');
    const [executionRoleId] = roleNamed('-pipeline-execution');
    const passRole = statementsOf(buildRoleId).filter((s) => [s.Action].flat().includes('iam:PassRole'));
    expect(passRole).toEqual([expect.objectContaining({
      Resource: { 'Fn::GetAtt': [executionRoleId, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    })]);
  });

  test('the build role may upsert and start only this project\'s SageMaker pipeline', () => {
    const [buildRoleId] = roleNamed('-modelbuild-build');
    const sagemaker = statementsOf(buildRoleId).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('sagemaker:')));
    expect(sagemaker).toHaveLength(1);
    expect(JSON.stringify(sagemaker[0].Resource)).toContain(':pipeline/*-",{"Ref":"SageMakerProjectId"}');
  });

  test('the execution role is assumed by SageMaker and its jobs are limited to pipeline jobs and the project group', () => {
    const [executionRoleId, role] = roleNamed('-pipeline-execution');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'sagemaker.amazonaws.com' });
    const text = JSON.stringify(statementsOf(executionRoleId));
    expect(text).toContain('processing-job/pipelines-*');
    expect(text).toContain('training-job/pipelines-*');
    expect(text).toContain(':model-package-group/*-",{"Ref":"SageMakerProjectId"}');
  });
});
