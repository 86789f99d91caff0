import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildInferenceApp } from '../lib/inference-app';
import { Limits } from '../lib/stage-config';
import { INTEGRATION_TIMEOUT_SECONDS, Outputs, Params, STACK_ID } from '../lib/template-contract';

let template: Template;
let json: { Parameters: Record<string, any>; Resources: Record<string, any>; Rules?: unknown; Outputs: Record<string, any> };
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
  test('alarms watch API 5xx, API p99 latency, Lambda errors and throttles', () => {
    const metrics = resourcesOf('AWS::CloudWatch::Alarm').map(([, a]) => `${a.Properties.Namespace}/${a.Properties.MetricName}`);
    expect(metrics.sort()).toEqual(['AWS/ApiGateway/5xx', 'AWS/ApiGateway/Latency', 'AWS/Lambda/Errors', 'AWS/Lambda/Throttles']);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'Latency', ExtendedStatistic: 'p99' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: '5xx', Threshold: { Ref: Params.serverErrorAlarmThreshold } });
  });

  test('ApiUrl, PredictUrl and FunctionName are output', () => {
    expect(Object.keys(json.Outputs).sort()).toEqual([Outputs.apiUrl, Outputs.functionName, Outputs.predictUrl].sort());
  });
});

describe('bootstrapless synthesis', () => {
  test('there is no BootstrapVersion parameter or rule', () => {
    expect(json.Parameters).not.toHaveProperty('BootstrapVersion');
    expect(json.Rules).toBeUndefined();
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
