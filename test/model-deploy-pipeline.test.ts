import * as fs from 'fs';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { CfnTemplate, productTemplate, projectRole, resourcesOfType, roleStatements, TEST_CONFIG_FILE } from './synthesized-app';
import { API_URL_OUTPUT, LAMBDA_EXPORT_TEMPLATE } from '../pipelines/lambda-service-target';
import { DEPLOY_CONFIG_FILES } from '../pipelines/model-deploy-pipeline';
import { loadPortfolioConfig } from '../product/portfolio-config';
import { PROJECT_ID_PARAMETER, PROJECT_NAME_PARAMETER } from '../product/sagemaker-project';

const config = loadPortfolioConfig(TEST_CONFIG_FILE);
const json = productTemplate();
const roleNamed = (suffix: string) => projectRole(json, suffix);
const statementsOf = (roleId: string) => roleStatements(json, roleId);
const template = Template.fromJSON(json);
const SEED = path.join(__dirname, '..', 'seed-repos', 'model-deploy');
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const nameRef = { Ref: PROJECT_NAME_PARAMETER };
const idRef = { Ref: PROJECT_ID_PARAMETER };
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);


function seedTemplate(): CfnTemplate {
  const file = path.join(SEED, 'cdk.out', 'InferenceService.template.json');
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: run \`npx projen seed:model-deploy:synth\` (part of \`npx projen test\`)`);
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

const pipeline = () => resourcesOfType(json, 'AWS::CodePipeline::Pipeline')
  .find(([, r]) => JSON.stringify(r.Properties.Name).includes('-modeldeploy'))![1];

describe('ModelDeployPipeline with the Lambda service target', () => {
  test('the repo is sagemaker-<name>-<id>-modeldeploy, seeded on main', () => {
    template.hasResourceProperties('AWS::CodeCommit::Repository', {
      RepositoryName: join('sagemaker-', nameRef, '-', idRef, '-modeldeploy'),
      Code: { BranchName: 'main', S3: Match.anyValue() },
    });
  });

  test('the ECR repository scans on push, has immutable tags, keeps the configured number of images and is retained', () => {
    expect(config.project.deleteImagesWithProject).toBe(false);
    template.hasResource('AWS::ECR::Repository', {
      Properties: {
        RepositoryName: join('sagemaker-', idRef, '-inference'),
        ImageScanningConfiguration: { ScanOnPush: true },
        ImageTagMutability: 'IMMUTABLE',
        LifecyclePolicy: { LifecyclePolicyText: Match.stringLikeRegexp(`"countNumber":${config.project.maxImageCount}`) },
      },
      DeletionPolicy: 'Retain',
    });
  });

  test('only this account\'s project functions may pull the image through the Lambda service', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: [Match.objectLike({
          Principal: { Service: 'lambda.amazonaws.com' },
          Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
          Condition: {
            StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
            ArnLike: { 'aws:SourceArn': Match.anyValue() },
          },
        })],
      },
    });
  });

  test('the pipeline is V2: Source → Build → DeployStaging → TestStaging → ApproveProd → DeployProd', () => {
    expect(pipeline().Properties.PipelineType).toBe('V2');
    expect(pipeline().Properties.Stages.map((s: any) => s.Name)).toEqual(['Source', 'Build', 'DeployStaging', 'TestStaging', 'ApproveProd', 'DeployProd']);
  });

  test('the deploy actions read the files the seed\'s buildspec writes, into the named staging and prod stacks', () => {
    const stages = pipeline().Properties.Stages;
    const action = (stage: string) => stages.find((s: any) => s.Name === stage).Actions[0];
    expect(action('DeployStaging').Configuration).toMatchObject({
      StackName: join('sagemaker-', nameRef, '-', idRef, '-deploy-staging'),
      TemplatePath: `Build::${LAMBDA_EXPORT_TEMPLATE}`,
      TemplateConfiguration: `Build::${DEPLOY_CONFIG_FILES.staging}`,
      // A failed first create is replaced instead of blocking later runs in ROLLBACK_COMPLETE.
      ActionMode: 'REPLACE_ON_FAILURE',
    });
    expect(action('DeployProd').Configuration).toMatchObject({
      StackName: join('sagemaker-', nameRef, '-', idRef, '-deploy-prod'),
      TemplatePath: `Build::${LAMBDA_EXPORT_TEMPLATE}`,
      TemplateConfiguration: `Build::${DEPLOY_CONFIG_FILES.prod}`,
      // Never REPLACE_ON_FAILURE: the pipeline must never delete and recreate prod.
      ActionMode: 'CREATE_UPDATE',
    });
    const buildspec = parse(fs.readFileSync(path.join(SEED, 'buildspec.yml'), 'utf8'));
    // discard-paths: each file lands at the artifact's root under its base name; transform.json (the deployed model's
    // input contract) is for the staging smoke test, which gets this artifact as its Build input.
    expect([...buildspec.artifacts.files].map((f: string) => path.basename(f)).sort())
      .toEqual([LAMBDA_EXPORT_TEMPLATE, ...Object.values(DEPLOY_CONFIG_FILES), 'transform.json'].sort());
    expect(buildspec.artifacts['discard-paths']).toBe('yes');
  });

  test('a rollback is one command: the MODEL_PACKAGE_VERSION pipeline variable (default latest) reaches the build, and both seeds read it', () => {
    expect(pipeline().Properties.Variables).toEqual([{
      Name: 'MODEL_PACKAGE_VERSION', DefaultValue: 'latest', Description: 'Approved model package version to deploy (a rollback), or latest',
    }]);
    const build = pipeline().Properties.Stages.find((s: any) => s.Name === 'Build').Actions[0];
    expect(JSON.parse(build.Configuration.EnvironmentVariables))
      .toEqual([{ name: 'MODEL_PACKAGE_VERSION', type: 'PLAINTEXT', value: '#{variables.MODEL_PACKAGE_VERSION}' }]);
    for (const file of ['model-deploy/scripts/resolve-model.ts', 'model-deploy-endpoint/scripts/resolve_model.py']) {
      expect(fs.readFileSync(path.join(__dirname, '..', 'seed-repos', file), 'utf8')).toContain('MODEL_PACKAGE_VERSION');
    }
  });

  test('the staging test gets the staging stack\'s API URL output, which the seed stack exports, and the build output', () => {
    const stages = pipeline().Properties.Stages;
    const test = stages.find((s: any) => s.Name === 'TestStaging').Actions[0];
    expect(JSON.parse(test.Configuration.EnvironmentVariables)).toEqual([
      { name: 'STAGING_API_URL', type: 'PLAINTEXT', value: `#{DeployStaging.${API_URL_OUTPUT}}` },
    ]);
    expect(seedTemplate().Outputs?.[API_URL_OUTPUT]).toBeDefined();
    // Source first (the buildspec and smoke test), then the build output with the deployed model's input contract.
    expect(test.InputArtifacts).toEqual([{ Name: 'Source' }, { Name: 'Build' }]);
    const testspec = parse(fs.readFileSync(path.join(SEED, 'buildspec-staging-test.yml'), 'utf8'));
    expect(JSON.stringify(testspec)).toContain('smoke-test');
  });

  test('the build is privileged (docker) and sets every variable the seed buildspec reads', () => {
    const [[, build]] = resourcesOfType(json, 'AWS::CodeBuild::Project')
      .filter(([, r]) => JSON.stringify(r.Properties.Name) === JSON.stringify(join('sagemaker-', nameRef, '-', idRef, '-modeldeploy')));
    expect(build.Properties.Environment.PrivilegedMode).toBe(true);
    expect(build.Properties.Source.BuildSpec).toBe('buildspec.yml');
    const set = new Set(build.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name));
    const buildspec = fs.readFileSync(path.join(SEED, 'buildspec.yml'), 'utf8').replace(/^\s*#.*$/gm, '');
    const used = [...new Set([...buildspec.matchAll(/\$\{?([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]))];
    const setByTheBuildItself = ['AWS_REGION', 'CODEBUILD_RESOLVED_SOURCE_VERSION', 'MODEL_VERSION', 'MODEL_DATA_URL', 'IMAGE_TAG'];
    expect(used.filter((v) => !set.has(v) && !setByTheBuildItself.includes(v))).toEqual([]);
    for (const name of ['SAGEMAKER_PROJECT_NAME', 'SAGEMAKER_PROJECT_ID', 'SAGEMAKER_PROJECT_ARN', 'ARTIFACT_BUCKET', 'SOURCE_MODEL_PACKAGE_GROUP_NAME',
      'ECR_REPOSITORY_URI', 'ECR_REPOSITORY_NAME', 'LAMBDA_EXECUTION_ROLE_ARN', 'EXPORT_TEMPLATE_NAME', 'EXPORT_TEMPLATE_STAGING_CONFIG', 'EXPORT_TEMPLATE_PROD_CONFIG']) {
      expect(set.has(name)).toBe(true);
    }
  });

  test('an approved model version in the project group starts the deploy pipeline', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Name: join('sagemaker-', idRef, '-model-approved'),
      EventPattern: {
        'source': ['aws.sagemaker'],
        'detail-type': ['SageMaker Model Package State Change'],
        'detail': { ModelPackageGroupName: [join(nameRef, '-', idRef)], ModelApprovalStatus: ['Approved'] },
      },
    });
  });

  test('the deploy role passes only the Lambda execution role to Lambda and the CodeDeploy role to CodeDeploy, and creates no IAM', () => {
    const [deployRoleId] = roleNamed('-cfn-deploy');
    const [lambdaRoleId] = roleNamed('-inference-lambda');
    const [codeDeployRoleId] = roleNamed('-inference-codedeploy');
    const statements = statementsOf(deployRoleId);
    const iamActions = statements.flatMap((s) => asList(s.Action)).filter((a: string) => a.startsWith('iam:'));
    expect(iamActions).toEqual(['iam:PassRole', 'iam:PassRole']);
    const passRoles = statements.filter((s) => asList(s.Action).includes('iam:PassRole')).map((s) => [s.Resource, s.Condition]);
    expect(passRoles).toEqual([
      [{ 'Fn::GetAtt': [lambdaRoleId, 'Arn'] }, { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } }],
      [{ 'Fn::GetAtt': [codeDeployRoleId, 'Arn'] }, { StringEquals: { 'iam:PassedToService': 'codedeploy.amazonaws.com' } }],
    ]);
  });

  test('the build role pushes only to the project repository', () => {
    const [buildRoleId] = roleNamed('-modeldeploy-build');
    const [[imageRepoId]] = resourcesOfType(json, 'AWS::ECR::Repository');
    for (const s of statementsOf(buildRoleId).filter((st) => asList(st.Action).some((a: string) => a.startsWith('ecr:')))) {
      const actions = asList(s.Action);
      if (actions.length === 1 && actions[0] === 'ecr:GetAuthorizationToken') {
        expect(s.Resource).toBe('*');
      } else {
        expect(s.Resource).toEqual({ 'Fn::GetAtt': [imageRepoId, 'Arn'] });
      }
    }
  });

  test('the test role may only invoke APIs of its own account and region, and the Lambda role only write its logs', () => {
    const [testRoleId] = roleNamed('-modeldeploy-test');
    const invoke = statementsOf(testRoleId).filter((s) => asList(s.Action).some((a: string) => a.startsWith('execute-api:')));
    expect(invoke).toHaveLength(1);
    expect(asList(invoke[0].Action)).toEqual(['execute-api:Invoke']);
    // IAM cannot wildcard the generated API id and still name the route (see lambda-service-target.ts).
    expect(invoke[0].Resource).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':execute-api:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':*']] });
    const [lambdaRoleId] = roleNamed('-inference-lambda');
    expect(statementsOf(lambdaRoleId).flatMap((s) => asList(s.Action))).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  });
});

/** What the deploy role deploys; test/authorization.test.ts proves with an IAM engine that the role allows each call. */
describe('the seed inference stack', () => {
  const types = [...new Set(Object.values(seedTemplate().Resources).map((r) => r.Type))].filter((t) => t !== 'AWS::CDK::Metadata').sort();

  test('the seed stack creates only API Gateway, Lambda, CodeDeploy, log, alarm and dashboard resources (no IAM)', () => {
    expect(types.filter((t) => !/^AWS::(ApiGatewayV2|Lambda|Logs|CloudWatch|CodeDeploy)::/.test(t))).toEqual([]);
    expect(types.length).toBeGreaterThan(4);
  });
});
