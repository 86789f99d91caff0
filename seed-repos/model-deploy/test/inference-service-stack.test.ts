import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildInferenceApp } from '../lib/inference-app';
import { ROLLBACK_ALARMS } from '../lib/inference-service-stack';
import { DEPLOYMENT_PREFERENCES, Limits } from '../lib/stage-config';
import { INTEGRATION_TIMEOUT_SECONDS, LIVE_ALIAS, Outputs, Params, RecordsMetric, STACK_ID } from '../lib/template-contract';

let template: Template;
let json: { Parameters: Record<string, any>; Resources: Record<string, any>; Rules?: Record<string, any>; Outputs: Record<string, any> };
let outdir: string;

beforeAll(() => {
  outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-'));
  const { app } = buildInferenceApp({ outdir });
  app.synth();
  json = JSON.parse(fs.readFileSync(path.join(outdir, `${STACK_ID}.template.json`), 'utf8'));
  template = Template.fromJSON(json);
});

afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

function resourcesOf(type: string): Array<[string, any]> {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

describe('predict route authorization', () => {
  test('POST /predict requires IAM (SigV4) unless AllowUnauthenticated opts out', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: 'POST /predict',
      AuthorizationType: { 'Fn::If': ['UnauthenticatedAccessAllowed', 'NONE', 'AWS_IAM'] },
    });
  });

  test('the opt-in condition is true only when AllowUnauthenticated is "true", and it defaults to "false"', () => {
    template.hasCondition('UnauthenticatedAccessAllowed', {
      'Fn::Equals': [{ Ref: Params.allowUnauthenticated }, 'true'],
    });
    expect(json.Parameters[Params.allowUnauthenticated]).toMatchObject({ Default: 'false', AllowedValues: ['false', 'true'] });
  });

  test('NONE appears nowhere except in the opt-in branch', () => {
    const text = JSON.stringify(json.Resources);
    expect(text.match(/"NONE"/g)).toHaveLength(1);
  });
});

describe('throttling and access logs', () => {
  test('stage default and predict route throttling come from the rate/burst parameters', () => {
    const throttle = {
      ThrottlingRateLimit: { Ref: Params.throttlingRateLimit },
      ThrottlingBurstLimit: { Ref: Params.throttlingBurstLimit },
    };
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: throttle,
      RouteSettings: { 'POST /predict': throttle },
    });
  });

  test('access logs are JSON records written to the access log group', () => {
    const [[, stage]] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties.AccessLogSettings;
    const [[accessLogGroupId]] = resourcesOf('AWS::Logs::LogGroup').filter(([, r]) =>
      JSON.stringify(r.Properties.LogGroupName).includes('/aws/apigateway/'),
    );
    expect(settings.DestinationArn).toEqual({ 'Fn::GetAtt': [accessLogGroupId, 'Arn'] });
    const format = JSON.parse(settings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
  });

  test('every log group has the retention parameter', () => {
    const groups = resourcesOf('AWS::Logs::LogGroup');
    expect(groups).toHaveLength(2);
    for (const [, group] of groups) {
      expect(group.Properties.RetentionInDays).toEqual({ Ref: Params.logRetentionDays });
    }
  });

  test('no LogRetention custom resource is used', () => {
    expect(resourcesOf('Custom::LogRetention')).toHaveLength(0);
    expect(resourcesOf('AWS::Lambda::Function')).toHaveLength(1);
  });
});

describe('function', () => {
  test('runs the image from the project ECR repository at the ImageTag parameter', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Code: {
        ImageUri: {
          'Fn::Join': ['', Match.arrayWith([{ Ref: Params.imageRepositoryName }, ':', { Ref: Params.imageTag }])],
        },
      },
      Role: { Ref: Params.lambdaExecutionRoleArn },
      MemorySize: { Ref: Params.memorySize },
      Timeout: { Ref: Params.timeoutSeconds },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('^FunctionLogGroup') } },
      Environment: {
        Variables: Match.objectLike({
          MODEL_PACKAGE_ARN: { Ref: Params.modelPackageArn },
          MODEL_PACKAGE_VERSION: { Ref: Params.modelPackageVersion },
          MAX_RECORDS: Match.anyValue(),
          MAX_BODY_BYTES: Match.anyValue(),
        }),
      },
    });
  });

  test('the timeout parameter MaxValue is below the integration timeout', () => {
    expect(json.Parameters[Params.timeoutSeconds].MaxValue).toBeLessThan(INTEGRATION_TIMEOUT_SECONDS);
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { TimeoutInMillis: INTEGRATION_TIMEOUT_SECONDS * 1000 });
  });

  test('numeric parameters carry the stage-config limits as MinValue/MaxValue', () => {
    expect(json.Parameters[Params.memorySize]).toMatchObject({ MinValue: Limits.memorySize.min, MaxValue: Limits.memorySize.max });
    expect(json.Parameters[Params.throttlingRateLimit]).toMatchObject({ MinValue: Limits.throttlingRateLimit.min, MaxValue: Limits.throttlingRateLimit.max });
    expect(json.Parameters[Params.reservedConcurrency]).toMatchObject({ MinValue: Limits.reservedConcurrency.min, MaxValue: Limits.reservedConcurrency.max });
  });

  test('reserved concurrency 0 means no reservation', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: { 'Fn::If': ['HasReservedConcurrency', { Ref: Params.reservedConcurrency }, { Ref: 'AWS::NoValue' }] },
    });
  });

  test('only this API may invoke the function, and only on the predict route', () => {
    const permissions = resourcesOf('AWS::Lambda::Permission');
    expect(permissions).toHaveLength(1);
    const [[, permission]] = permissions;
    const [[apiId]] = resourcesOf('AWS::ApiGatewayV2::Api');
    expect(permission.Properties.Principal).toBe('apigateway.amazonaws.com');
    const sourceArn = permission.Properties.SourceArn['Fn::Join'][1];
    expect(sourceArn).toContainEqual({ Ref: apiId });
    expect(sourceArn[sourceArn.length - 1]).toBe('/*/*/predict');
  });
});

describe('IAM', () => {
  test('the template creates no IAM role, policy or user', () => {
    const iam = Object.values(json.Resources).filter((r: any) => String(r.Type).startsWith('AWS::IAM::'));
    expect(iam).toEqual([]);
  });

  test('no IAM statement grants a wildcard action', () => {
    const actions: string[] = [];
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'Action') actions.push(...([] as unknown[]).concat(v).map(String));
          walk(v);
        }
      }
    };
    walk(json.Resources);
    expect(actions.filter((a) => a.includes('*'))).toEqual([]);
  });
});

describe('alarms and outputs', () => {
  test('alarms watch API 5xx and p99 latency, Lambda errors and throttles, and the new version\'s errors and p99 duration', () => {
    const metrics = resourcesOf('AWS::CloudWatch::Alarm').map(([, a]) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics.sort()).toEqual([
      'AWS/ApiGateway/5xx', 'AWS/ApiGateway/Latency', 'AWS/Lambda/Duration', 'AWS/Lambda/Errors', 'AWS/Lambda/Errors', 'AWS/Lambda/Throttles',
    ]);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Threshold: { Ref: Params.serverErrorAlarmThreshold } });
  });

  test('ApiUrl, PredictUrl, FunctionName, DashboardName and DeploymentGroupName are output', () => {
    expect(Object.keys(json.Outputs).sort()).toEqual(Object.values(Outputs).sort());
  });
});

describe('alarm actions (the project notification topic)', () => {
  test('NotificationTopicArn defaults to empty, so a deployment without a topic still works', () => {
    expect(json.Parameters[Params.notificationTopicArn]).toMatchObject({ Type: 'String', Default: '' });
    expect(new RegExp(json.Parameters[Params.notificationTopicArn].AllowedPattern).test('')).toBe(true);
    expect(new RegExp(json.Parameters[Params.notificationTopicArn].AllowedPattern).test('arn:aws:sns:eu-west-1:123456789012:sagemaker-p-abcdef123456-notify')).toBe(true);
    template.hasCondition('HasNotificationTopic', { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: Params.notificationTopicArn }, ''] }] });
  });

  test('every alarm notifies the topic on ALARM and on OK when the topic is set, and has no actions otherwise', () => {
    const alarms = resourcesOf('AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(6);
    const actions = { 'Fn::If': ['HasNotificationTopic', [{ Ref: Params.notificationTopicArn }], { Ref: 'AWS::NoValue' }] };
    for (const [, a] of alarms) {
      expect(a.Properties.AlarmActions).toEqual(actions);
      expect(a.Properties.OKActions).toEqual(actions);
    }
  });
});

describe('published version, live alias and CodeDeploy traffic shifting', () => {
  const logicalIdOf = (type: string) => {
    const found = resourcesOf(type);
    expect(found).toHaveLength(1);
    return found[0][0];
  };

  test('the API invokes the live alias, and only the alias may be invoked by the API', () => {
    const aliasId = logicalIdOf('AWS::Lambda::Alias');
    template.hasResourceProperties('AWS::Lambda::Alias', {
      Name: LIVE_ALIAS,
      FunctionName: { Ref: logicalIdOf('AWS::Lambda::Function') },
      FunctionVersion: { 'Fn::GetAtt': [logicalIdOf('AWS::Lambda::Version'), 'Version'] },
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', { IntegrationUri: { Ref: aliasId } });
    template.hasResourceProperties('AWS::Lambda::Permission', { FunctionName: { Ref: aliasId } });
  });

  test('the version description changes with the image tag and the configuration, so every new image publishes a version', () => {
    // Description is create-only for AWS::Lambda::Version (its provider schema): a new value replaces
    // the resource, which publishes a version. The template is the same for every image (the tag
    // is a parameter), so only a parameter-derived property can force that.
    const [[, version]] = resourcesOf('AWS::Lambda::Version');
    const parts = version.Properties.Description['Fn::Join'][1];
    for (const p of [Params.imageTag, Params.modelPackageVersion, Params.memorySize, Params.timeoutSeconds, Params.snapStart]) {
      expect(parts).toContainEqual({ Ref: p });
    }
    expect(version.DeletionPolicy).toBe('Delete');
    expect(version.UpdateReplacePolicy).toBe('Delete');
  });

  test('the alias update is a CodeDeploy deployment (UpdatePolicy CodeDeployLambdaAliasUpdate) started after the deployment group and its alarms', () => {
    const [[, alias]] = resourcesOf('AWS::Lambda::Alias');
    expect(alias.UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: { Ref: logicalIdOf('AWS::CodeDeploy::Application') },
        DeploymentGroupName: { Ref: logicalIdOf('AWS::CodeDeploy::DeploymentGroup') },
      },
    });
    expect(alias.DependsOn).toContain(logicalIdOf('AWS::CodeDeploy::DeploymentGroup'));
  });

  test('the deployment group shifts by the DeploymentConfigName parameter with the project role, and rolls back on failure, stop or alarm', () => {
    expect(json.Parameters[Params.deploymentConfigName].AllowedValues.sort()).toEqual(Object.values(DEPLOYMENT_PREFERENCES).sort());
    template.hasResourceProperties('AWS::CodeDeploy::Application', { ComputePlatform: 'Lambda' });
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: { Ref: Params.deploymentConfigName },
      ServiceRoleArn: { Ref: Params.codeDeployRoleArn },
      DeploymentStyle: { DeploymentType: 'BLUE_GREEN', DeploymentOption: 'WITH_TRAFFIC_CONTROL' },
      AutoRollbackConfiguration: { Enabled: true },
    });
    const [[, group]] = resourcesOf('AWS::CodeDeploy::DeploymentGroup');
    expect([...group.Properties.AutoRollbackConfiguration.Events].sort()).toEqual(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM', 'DEPLOYMENT_STOP_ON_REQUEST']);
  });

  test('the rollback alarms are API 5xx and the new version\'s errors and p99 duration', () => {
    const [[, group]] = resourcesOf('AWS::CodeDeploy::DeploymentGroup');
    expect(group.Properties.AlarmConfiguration.Enabled).toBe(true);
    const watched = group.Properties.AlarmConfiguration.Alarms.map((a: any) => json.Resources[a.Name.Ref].Properties);
    expect(watched.map((a: any) => a.MetricName).sort()).toEqual(['5xx', 'Duration', 'Errors']);
    expect(ROLLBACK_ALARMS).toHaveLength(watched.length);
  });

  test('the new-version alarms read the executed version through the alias, at 1-minute periods', () => {
    const versionId = logicalIdOf('AWS::Lambda::Version');
    const fnId = logicalIdOf('AWS::Lambda::Function');
    const versionAlarms = resourcesOf('AWS::CloudWatch::Alarm').filter(([, a]) =>
      (a.Properties.Dimensions ?? []).some((d: any) => d.Name === 'ExecutedVersion'));
    expect(versionAlarms).toHaveLength(2);
    for (const [, a] of versionAlarms) {
      expect(a.Properties.Period).toBe(60);
      expect(a.Properties.Dimensions).toEqual([
        { Name: 'ExecutedVersion', Value: { 'Fn::GetAtt': [versionId, 'Version'] } },
        { Name: 'FunctionName', Value: { Ref: fnId } },
        { Name: 'Resource', Value: { 'Fn::Join': ['', [{ Ref: fnId }, `:${LIVE_ALIAS}`]] } },
      ]);
    }
  });

  test('the template creates no CodeDeploy role: it takes the project\'s by ARN', () => {
    expect(json.Parameters[Params.codeDeployRoleArn]).toMatchObject({ Type: 'String', AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/.+$' });
  });
});

describe('SnapStart or provisioned concurrency (per stage, exclusive)', () => {
  test('SnapStart applies to published versions only when the SnapStart parameter is "true"', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      SnapStart: { ApplyOn: { 'Fn::If': ['SnapStartEnabled', 'PublishedVersions', 'None'] } },
    });
    expect(json.Parameters[Params.snapStart]).toMatchObject({ Default: 'false', AllowedValues: ['false', 'true'] });
  });

  test('provisioned concurrency is set on the live alias only when ProvisionedConcurrency is not 0', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', {
      ProvisionedConcurrencyConfig: {
        'Fn::If': ['HasProvisionedConcurrency', { ProvisionedConcurrentExecutions: { Ref: Params.provisionedConcurrency } }, { Ref: 'AWS::NoValue' }],
      },
    });
  });

  test('a template rule refuses SnapStart together with provisioned concurrency', () => {
    const rule = (json.Rules as any).SnapStartExcludesProvisionedConcurrency;
    expect(rule.Assertions[0].Assert).toEqual({
      'Fn::Not': [{ 'Fn::And': [
        { 'Fn::Equals': [{ Ref: Params.snapStart }, 'true'] },
        { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: Params.provisionedConcurrency }, '0'] }] },
      ] }],
    });
  });
});

describe('dashboard and records metric', () => {
  let body: string;
  beforeAll(() => {
    const [[, dashboard]] = resourcesOf('AWS::CloudWatch::Dashboard');
    // The body is a Fn::Join of literal JSON around references; the literal parts are what we check.
    body = dashboard.Properties.DashboardBody['Fn::Join'][1].map((p: unknown) => (typeof p === 'string' ? p : '<ref>')).join('');
  });

  test('one dashboard per stage, named after the project and stage', () => {
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', {
      DashboardName: { 'Fn::Join': ['', ['sagemaker-', { Ref: Params.projectId }, '-', { Ref: Params.stage }, '-inference']] },
    });
  });

  test.each([
    ['request rate', '"AWS/ApiGateway","Count"'],
    ['p50 latency', '"stat":"p50"'],
    ['p99 latency', '"stat":"p99"'],
    ['4xx', '"AWS/ApiGateway","4xx"'],
    ['5xx', '"AWS/ApiGateway","5xx"'],
    ['function errors', '"AWS/Lambda","Errors"'],
    ['throttles', '"AWS/Lambda","Throttles"'],
    ['concurrency', '"AWS/Lambda","ConcurrentExecutions"'],
    ['records per request', `"${RecordsMetric.metricName}"`],
    ['traffic per version of the alias', 'ExecutedVersion'],
    ['the deployment state (rollback alarms)', '"title":"Deployment: rollback alarms"'],
  ])('shows %s', (_what, fragment) => {
    expect(body).toContain(fragment);
  });

  test('the rollback alarm widget lists exactly the deployment group\'s alarms', () => {
    const [[, dashboard]] = resourcesOf('AWS::CloudWatch::Dashboard');
    const parts: unknown[] = dashboard.Properties.DashboardBody['Fn::Join'][1];
    const start = parts.findIndex((p) => typeof p === 'string' && p.includes('"title":"Deployment: rollback alarms"'));
    const end = parts.findIndex((p, i) => i > start && typeof p === 'string' && p.includes('"title":"Other alarms"'));
    const refs = parts.slice(start, end).filter((p): p is { 'Fn::GetAtt': [string, string] } => typeof p === 'object' && p !== null && 'Fn::GetAtt' in p)
      .map((p) => p['Fn::GetAtt'][0]);
    const [[, group]] = resourcesOf('AWS::CodeDeploy::DeploymentGroup');
    expect(refs.sort()).toEqual(group.Properties.AlarmConfiguration.Alarms.map((a: any) => a.Name.Ref).sort());
  });

  test('a metric filter turns the function log\'s "records" field into RecordsPerRequest', () => {
    template.hasResourceProperties('AWS::Logs::MetricFilter', {
      LogGroupName: { Ref: Match.stringLikeRegexp('^FunctionLogGroup') },
      FilterPattern: '{ $.records > 0 }',
      MetricTransformations: [Match.objectLike({ MetricName: RecordsMetric.metricName, MetricValue: '$.records' })],
    });
  });
});

describe('bootstrapless synthesis', () => {
  test('there is no BootstrapVersion parameter or rule', () => {
    expect(json.Parameters).not.toHaveProperty('BootstrapVersion');
    expect(Object.keys(json.Rules ?? {})).toEqual(['SnapStartExcludesProvisionedConcurrency']);
  });

  test('the cloud assembly references no assets', () => {
    const files = fs.readdirSync(outdir);
    expect(files.filter((f) => f.startsWith('asset.') || f.endsWith('.assets.json'))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(outdir, 'manifest.json'), 'utf8'));
    const artifactTypes = Object.values(manifest.artifacts).map((a: any) => a.type);
    expect(artifactTypes).not.toContain('cdk:asset-manifest');
    expect(JSON.stringify(manifest)).not.toMatch(/aws:cdk:asset/);
    expect(JSON.stringify(json)).not.toMatch(/cdk-hnb659fds|AssetParameters/);
  });

  test('the template parameters are exactly the contract parameters', () => {
    expect(Object.keys(json.Parameters).sort()).toEqual(Object.values(Params).sort());
  });
});
