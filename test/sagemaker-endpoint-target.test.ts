import * as fs from 'fs';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { parse } from 'yaml';
import { productTemplate, projectRole, resourcesOfType, roleStatements } from './synthesized-app';
import { DEPLOY_CONFIG_FILES } from '../pipelines/model-deploy-pipeline';
import { ENDPOINT_EXPORT_TEMPLATE, ENDPOINT_NAME_OUTPUT } from '../pipelines/sagemaker-endpoint-target';
import { PROJECT_ID_PARAMETER } from '../product/sagemaker-project';

const json = productTemplate('endpoint');
const roleNamed = (suffix: string) => projectRole(json, suffix);
const statementsOf = (roleId: string) => roleStatements(json, roleId);
const template = Template.fromJSON(json);
const SEED = path.join(__dirname, '..', 'seed-repos', 'model-deploy-endpoint');
const idRef = { Ref: PROJECT_ID_PARAMETER };
const join = (...parts: unknown[]) => ({ 'Fn::Join': ['', parts] });
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);


const stages = () => resourcesOfType(json, 'AWS::CodePipeline::Pipeline')
  .find(([, r]) => JSON.stringify(r.Properties.Name).includes('-modeldeploy'))![1].Properties.Stages;

/** Resource types of the seed's plain CloudFormation template (YAML with short-form intrinsics, so read by line). */
function seedResourceTypes(): string[] {
  const text = fs.readFileSync(path.join(SEED, 'template.yml'), 'utf8');
  return [...new Set([...text.matchAll(/^\s+Type:\s+(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\s*$/gm)].map((m) => m[1]))].sort();
}

describe('ModelDeployPipeline with the SageMaker endpoint target', () => {
  test('the product creates no image repository and no privileged build: the serving image is AWS\'s', () => {
    template.resourceCountIs('AWS::ECR::Repository', 0);
    const [[, build]] = resourcesOfType(json, 'AWS::CodeBuild::Project').filter(([, r]) => JSON.stringify(r.Properties.Name).endsWith('-modeldeploy"]]}'));
    expect(build.Properties.Environment.PrivilegedMode).toBe(false);
    const vars = Object.fromEntries(build.Properties.Environment.EnvironmentVariables.map((v: any) => [v.Name, v.Value]));
    expect(vars.EXPORT_TEMPLATE_NAME).toBe(ENDPOINT_EXPORT_TEMPLATE);
    expect(vars.MODEL_EXECUTION_ROLE_ARN).toBeDefined();
  });

  test('deploys the exported YAML template with each stage\'s configuration, and tests the staging endpoint by name', () => {
    const action = (stage: string) => stages().find((s: any) => s.Name === stage).Actions[0];
    expect(action('DeployStaging').Configuration).toMatchObject({
      TemplatePath: `Build::${ENDPOINT_EXPORT_TEMPLATE}`, TemplateConfiguration: `Build::${DEPLOY_CONFIG_FILES.staging}`,
    });
    expect(action('DeployProd').Configuration).toMatchObject({
      TemplatePath: `Build::${ENDPOINT_EXPORT_TEMPLATE}`, TemplateConfiguration: `Build::${DEPLOY_CONFIG_FILES.prod}`,
    });
    expect(JSON.parse(action('TestStaging').Configuration.EnvironmentVariables)).toEqual([
      { name: 'STAGING_ENDPOINT_NAME', type: 'PLAINTEXT', value: `#{DeployStaging.${ENDPOINT_NAME_OUTPUT}}` },
    ]);
  });

  test('the seed buildspec exports the files the pipeline reads and reads only variables the build project or its pipeline action sets', () => {
    const buildspec = parse(fs.readFileSync(path.join(SEED, 'buildspec.yml'), 'utf8'));
    expect([...buildspec.artifacts.files].sort()).toEqual([ENDPOINT_EXPORT_TEMPLATE, ...Object.values(DEPLOY_CONFIG_FILES), 'build/transform.json'].sort());
    expect(buildspec.artifacts['discard-paths']).toBe('yes');
    const [[, build]] = resourcesOfType(json, 'AWS::CodeBuild::Project').filter(([, r]) => JSON.stringify(r.Properties.Name).endsWith('-modeldeploy"]]}'));
    // The Build action's own variables (MODEL_PACKAGE_VERSION) reach the build as environment variables too.
    const buildAction = stages().find((s: any) => s.Name === 'Build').Actions[0];
    const actionVariables = JSON.parse(buildAction.Configuration.EnvironmentVariables ?? '[]').map((v: any) => v.name);
    const set = new Set([...build.Properties.Environment.EnvironmentVariables.map((v: any) => v.Name), ...actionVariables]);
    // The scripts read their inputs from the environment: every name they read must be set by the project or CodeBuild.
    const scripts = fs.readdirSync(path.join(SEED, 'scripts')).filter((f) => f.endsWith('.py'))
      .map((f) => fs.readFileSync(path.join(SEED, 'scripts', f), 'utf8')).join('\n');
    const read = [...new Set([...scripts.matchAll(/(?:require_env|environ\.get|env\.get|environment\.get)\(\s*["']([A-Z][A-Z0-9_]+)["']/g)].map((m) => m[1]))];
    expect(read).toEqual(expect.arrayContaining(['MODEL_PACKAGE_VERSION', 'NOTIFICATION_TOPIC_ARN']));
    expect(read).toEqual(expect.arrayContaining(['SOURCE_MODEL_PACKAGE_GROUP_NAME', 'MODEL_EXECUTION_ROLE_ARN', 'ARTIFACT_BUCKET']));
    // MODEL_TRANSFORM_FILE: set by the staging-test buildspec itself, to the build output's transform.json.
    const fromCodeBuildOrTest = ['AWS_REGION', 'AWS_DEFAULT_REGION', 'CODEBUILD_RESOLVED_SOURCE_VERSION', 'STAGING_ENDPOINT_NAME', 'MODEL_TRANSFORM_FILE'];
    expect(read.filter((v) => !set.has(v) && !fromCodeBuildOrTest.includes(v))).toEqual([]);
  });

  test('the model role is assumed by SageMaker and may only read the project bucket, pull the XGBoost image, log and read its rollback alarms', () => {
    const [roleId, role] = roleNamed('-endpoint-model');
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Principal).toEqual({ Service: 'sagemaker.amazonaws.com' });
    const statements = statementsOf(roleId);
    const actions = statements.flatMap((s) => asList(s.Action));
    expect(actions.filter((a: string) => !/^(s3:(Get|List)|ecr:|logs:|cloudwatch:PutMetricData$|cloudwatch:DescribeAlarms$)/.test(a))).toEqual([]);
    // Deployment guardrails read the stage alarms as the execution role: only the project's alarms, read-only.
    const alarms = statements.filter((s) => asList(s.Action).includes('cloudwatch:DescribeAlarms'));
    expect(alarms).toHaveLength(1);
    expect(asList(alarms[0].Action)).toEqual(['cloudwatch:DescribeAlarms']);
    expect(JSON.stringify(alarms[0].Resource)).toContain(':alarm:sagemaker-",{"Ref":"SageMakerProjectId"},"-*"');
  });

  test('the deploy role manages only the project\'s models, endpoint configs and endpoints, and passes only the model role', () => {
    const [deployRoleId] = roleNamed('-cfn-deploy');
    const [modelRoleId] = roleNamed('-endpoint-model');
    const statements = statementsOf(deployRoleId);
    const sagemaker = statements.filter((s) => asList(s.Action).some((a: string) => a.startsWith('sagemaker:')));
    for (const s of sagemaker) {
      for (const resource of asList(s.Resource)) {
        expect(JSON.stringify(resource)).toMatch(/:(model|endpoint-config|endpoint)\/sagemaker-","?\{"Ref":"SageMakerProjectId"\},"-\*"/);
      }
    }
    const passRole = statements.filter((s) => asList(s.Action).includes('iam:PassRole'));
    expect(passRole).toEqual([expect.objectContaining({
      Resource: { 'Fn::GetAtt': [modelRoleId, 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'sagemaker.amazonaws.com' } },
    })]);
  });

  test('the deploy role manages only the project\'s alarms and dashboards, scales only SageMaker variants, and creates only their service-linked role', () => {
    const [deployRoleId] = roleNamed('-cfn-deploy');
    const statements = statementsOf(deployRoleId);
    const bySid = (sid: string) => statements.find((s) => s.Sid === sid)!;
    expect(JSON.stringify(bySid('ProjectAlarms').Resource)).toContain(':alarm:sagemaker-",{"Ref":"SageMakerProjectId"},"-*"');
    expect(JSON.stringify(bySid('ProjectDashboards').Resource)).toContain(':cloudwatch::",{"Ref":"AWS::AccountId"},":dashboard/sagemaker-",{"Ref":"SageMakerProjectId"},"-*"');
    expect(JSON.stringify(bySid('TargetTrackingAlarms').Resource)).toContain(':alarm:TargetTracking-endpoint/sagemaker-",{"Ref":"SageMakerProjectId"},"-*"');
    expect(bySid('ScaleSageMakerVariants').Condition).toEqual({
      StringEquals: {
        'application-autoscaling:service-namespace': 'sagemaker',
        'application-autoscaling:scalable-dimension': 'sagemaker:variant:DesiredInstanceCount',
      },
    });
    const slr = bySid('CreateTheSageMakerAutoScalingRole');
    expect(asList(slr.Action)).toEqual(['iam:CreateServiceLinkedRole']);
    expect(JSON.stringify(slr.Resource)).toContain(':role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint');
    expect(slr.Condition).toEqual({ StringEquals: { 'iam:AWSServiceName': 'sagemaker.application-autoscaling.amazonaws.com' } });
    // Nothing of SNS or KMS: CloudWatch publishes alarm notifications as its own service principal.
    expect(statements.flatMap((s) => asList(s.Action)).filter((a: string) => /^(sns|kms):/.test(a))).toEqual([]);
  });

  test('the test role may only invoke the staging endpoint', () => {
    const [testRoleId] = roleNamed('-modeldeploy-test');
    const invoke = statementsOf(testRoleId).filter((s) => asList(s.Action).some((a: string) => a.startsWith('sagemaker:')));
    expect(invoke).toHaveLength(1);
    expect(asList(invoke[0].Action)).toEqual(['sagemaker:InvokeEndpoint']);
    expect(JSON.stringify(invoke[0].Resource)).toContain(':endpoint/sagemaker-",{"Ref":"SageMakerProjectId"},"-staging"');
  });
});

/** What the deploy role deploys; test/authorization.test.ts proves with an IAM engine that the role allows each call. */
describe('the endpoint seed template', () => {
  const types = seedResourceTypes();

  test('the seed template creates SageMaker hosting, its alarms, autoscaling and a dashboard (no IAM)', () => {
    expect(types).toEqual([
      'AWS::ApplicationAutoScaling::ScalableTarget', 'AWS::ApplicationAutoScaling::ScalingPolicy', 'AWS::CloudWatch::Alarm',
      'AWS::CloudWatch::Dashboard', 'AWS::SageMaker::Endpoint', 'AWS::SageMaker::EndpointConfig', 'AWS::SageMaker::Model',
    ]);
  });
});
