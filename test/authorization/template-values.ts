import { createHash } from 'crypto';
import { CfnTemplate } from '../synthesized-app';

/**
 * CloudFormation templates evaluated at concrete values: parameters and pseudo parameters
 * substituted, intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select, Fn::Split,
 * Fn::If and conditions) applied, and each resource given the physical id and ARN CloudFormation
 * would give it. IAM evaluation needs literal ARNs; this is the one emulated step of the
 * authorization suite, and it follows the "Return values" sections of the CloudFormation resource
 * reference (Ref and Fn::GetAtt per resource type). An unknown type or attribute throws, so a new
 * resource type cannot be silently mis-evaluated.
 */

export interface Environment {
  readonly account: string;
  readonly region: string;
  readonly partition: string;
}

export const SAMPLE_ENVIRONMENT: Environment = { account: '111122223333', region: 'eu-west-1', partition: 'aws' };

/** What CloudFormation returns for one resource. */
export interface PhysicalResource {
  readonly logicalId: string;
  readonly type: string;
  /** `Ref` value. */
  readonly ref: string;
  /** `Fn::GetAtt` values. */
  readonly attributes: Record<string, string>;
  /** The ARN IAM authorizes calls on this resource against. */
  readonly arn: string;
  /** Properties with every intrinsic resolved. */
  readonly properties: any;
  /** The UpdatePolicy attribute, resolved (an alias's CodeDeployLambdaAliasUpdate names its deployment group). */
  readonly updatePolicy?: any;
}

type PhysicalRule = (name: (prop: string, fallback?: string) => string, env: Environment, logicalId: string, props: any) =>
{ ref: string; attributes?: Record<string, string>; arn: string };

const arnOf = (env: Environment, service: string, resource: string, region = env.region, account = env.account) =>
  `arn:${env.partition}:${service}:${region}:${account}:${resource}`;
/** Generated identifiers (API ids, stack ids): stable, lower-case, obviously synthetic. */
const generatedId = (logicalId: string, length = 10) => logicalId.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, length).padEnd(length, '0');

/** SageMaker hosting resources: Ref is the ARN (lower-cased name), GetAtt <NameProperty> the name. */
function sageMakerHosting(nameProperty: string, arnType: string): PhysicalRule {
  return (name, env) => {
    const value = name(nameProperty);
    const arn = arnOf(env, 'sagemaker', `${arnType}/${value.toLowerCase()}`);
    return { ref: arn, attributes: { [nameProperty]: value }, arn };
  };
}

/** Ref / GetAtt / ARN per resource type, from the CloudFormation resource reference's "Return values". */
const PHYSICAL_RULES: Record<string, PhysicalRule> = {
  'AWS::IAM::Role': (name, env, id, props) => {
    const roleName = name('RoleName', `generated-${id}`);
    const arn = `arn:${env.partition}:iam::${env.account}:role${props.Path ?? '/'}${roleName}`;
    return { ref: roleName, attributes: { Arn: arn, RoleId: `AROA${generatedId(id, 17).toUpperCase()}` }, arn };
  },
  'AWS::IAM::Policy': (_name, _env, id) => ({ ref: `policy-${generatedId(id)}`, arn: '' }),
  'AWS::IAM::ManagedPolicy': (name, env, id) => {
    const arn = `arn:${env.partition}:iam::${env.account}:policy/${name('ManagedPolicyName', `generated-${id}`)}`;
    return { ref: arn, arn };
  },
  'AWS::S3::Bucket': (name, env, id) => {
    const bucket = name('BucketName', `generated-${generatedId(id)}`);
    return { ref: bucket, attributes: { Arn: `arn:${env.partition}:s3:::${bucket}` }, arn: `arn:${env.partition}:s3:::${bucket}` };
  },
  'AWS::S3::BucketPolicy': (_n, _e, id) => ({ ref: `bucket-policy-${generatedId(id)}`, arn: '' }),
  'AWS::CodeCommit::Repository': (name, env, id) => {
    const repo = name('RepositoryName');
    const arn = arnOf(env, 'codecommit', repo);
    return {
      ref: `${generatedId(id, 8)}-0000-0000-0000-000000000000`,
      attributes: { Arn: arn, Name: repo, CloneUrlHttp: `https://git-codecommit.${env.region}.amazonaws.com/v1/repos/${repo}` },
      arn,
    };
  },
  'AWS::CodeBuild::Project': (name, env) => {
    const project = name('Name');
    const arn = arnOf(env, 'codebuild', `project/${project}`);
    return { ref: project, attributes: { Arn: arn }, arn };
  },
  'AWS::CodePipeline::Pipeline': (name, env) => {
    const pipeline = name('Name');
    return { ref: pipeline, attributes: { Version: '1' }, arn: arnOf(env, 'codepipeline', pipeline) };
  },
  'AWS::Events::Rule': (name, env) => {
    const rule = name('Name');
    const arn = arnOf(env, 'events', `rule/${rule}`);
    return { ref: rule, attributes: { Arn: arn }, arn };
  },
  'AWS::ECR::Repository': (name, env) => {
    const repo = name('RepositoryName');
    const arn = arnOf(env, 'ecr', `repository/${repo}`);
    return { ref: repo, attributes: { Arn: arn, RepositoryUri: `${env.account}.dkr.ecr.${env.region}.amazonaws.com/${repo}` }, arn };
  },
  // SageMaker lower-cases resource names in its ARNs.
  'AWS::SageMaker::ModelPackageGroup': (name, env) => {
    const group = name('ModelPackageGroupName');
    const arn = arnOf(env, 'sagemaker', `model-package-group/${group.toLowerCase()}`);
    return { ref: arn, attributes: { ModelPackageGroupArn: arn, ModelPackageGroupName: group }, arn };
  },
  'AWS::SageMaker::Model': sageMakerHosting('ModelName', 'model'),
  'AWS::SageMaker::EndpointConfig': sageMakerHosting('EndpointConfigName', 'endpoint-config'),
  'AWS::SageMaker::Endpoint': sageMakerHosting('EndpointName', 'endpoint'),
  'AWS::Logs::LogGroup': (name, env) => {
    const group = name('LogGroupName');
    return { ref: group, attributes: { Arn: arnOf(env, 'logs', `log-group:${group}:*`) }, arn: arnOf(env, 'logs', `log-group:${group}`) };
  },
  'AWS::Lambda::Function': (name, env) => {
    const fn = name('FunctionName');
    const arn = arnOf(env, 'lambda', `function:${fn}`);
    return { ref: fn, attributes: { Arn: arn }, arn };
  },
  'AWS::Lambda::Permission': (_n, _e, id) => ({ ref: `permission-${generatedId(id)}`, arn: '' }),
  // Ref of a version is its qualified ARN; the first version a function publishes is 1.
  'AWS::Lambda::Version': (name, env) => {
    const arn = `${functionArnOf(name('FunctionName'), env)}:1`;
    return { ref: arn, attributes: { Version: '1', FunctionArn: arn }, arn };
  },
  'AWS::Lambda::Alias': (name, env) => {
    const arn = `${functionArnOf(name('FunctionName'), env)}:${name('Name')}`;
    return { ref: arn, attributes: { AliasArn: arn }, arn };
  },
  'AWS::CodeDeploy::Application': (name, env) => {
    const app = name('ApplicationName');
    return { ref: app, arn: arnOf(env, 'codedeploy', `application:${app}`) };
  },
  'AWS::CodeDeploy::DeploymentGroup': (name, env) => {
    const group = name('DeploymentGroupName');
    return { ref: group, arn: arnOf(env, 'codedeploy', `deploymentgroup:${name('ApplicationName')}/${group}`) };
  },
  // Dashboards are global: no region in their ARN.
  'AWS::CloudWatch::Dashboard': (name, env) => {
    // Dashboards are global: no region in the ARN.
    const dashboard = name('DashboardName');
    return { ref: dashboard, arn: arnOf(env, 'cloudwatch', `dashboard/${dashboard}`, '') };
  },
  // Metric filter calls are authorized on the log group they belong to.
  'AWS::Logs::MetricFilter': (name, env) => ({ ref: name('FilterName'), arn: arnOf(env, 'logs', `log-group:${name('LogGroupName')}`) }),
  'AWS::ApiGatewayV2::Api': (_n, env, id) => {
    const apiId = generatedId(id);
    return {
      ref: apiId,
      attributes: { ApiId: apiId, ApiEndpoint: `https://${apiId}.execute-api.${env.region}.amazonaws.com` },
      arn: `arn:${env.partition}:apigateway:${env.region}::/apis/${apiId}`,
    };
  },
  'AWS::ApiGatewayV2::Integration': (_n, _e, id) => ({ ref: generatedId(id, 7), arn: '' }),
  'AWS::ApiGatewayV2::Route': (_n, _e, id) => ({ ref: generatedId(id, 7), arn: '' }),
  'AWS::ApiGatewayV2::Stage': (name) => ({ ref: name('StageName'), arn: '' }),
  'AWS::CloudWatch::Alarm': (name, env) => {
    const alarm = name('AlarmName');
    const arn = arnOf(env, 'cloudwatch', `alarm:${alarm}`);
    return { ref: alarm, attributes: { Arn: arn }, arn };
  },
  'AWS::KMS::Key': (_n, env, id) => {
    const keyId = `${generatedId(id, 8)}-0000-4000-8000-000000000000`;
    const arn = arnOf(env, 'kms', `key/${keyId}`);
    return { ref: keyId, attributes: { Arn: arn, KeyId: keyId }, arn };
  },
  'AWS::SNS::Topic': (name, env) => {
    const topic = name('TopicName');
    const arn = arnOf(env, 'sns', topic);
    return { ref: arn, attributes: { TopicArn: arn, TopicName: topic }, arn };
  },
  'AWS::SNS::TopicPolicy': (_n, _e, id) => ({ ref: `topic-policy-${generatedId(id)}`, arn: '' }),
  // A subscription's ARN is its topic's ARN plus a generated id; IAM authorizes its calls on the topic.
  'AWS::SNS::Subscription': (_n, env, id, props) => ({ ref: `${props.TopicArn}:${generatedId(id, 8)}-0000-4000-8000-000000000000`, arn: props.TopicArn }),
  // Ref is "<ResourceId>|<ScalableDimension>|<ServiceNamespace>"; IAM authorizes on the target's generated id.
  'AWS::ApplicationAutoScaling::ScalableTarget': (name, env) => {
    const ref = `${name('ResourceId')}|${name('ScalableDimension')}|${name('ServiceNamespace')}`;
    return { ref, arn: scalableTargetArn(env, ref) };
  },
  // A scaling policy's calls are authorized on its scalable target.
  'AWS::ApplicationAutoScaling::ScalingPolicy': (name, env, id) => {
    const target = name('ScalingTargetId');
    const resourceId = target.split('|')[0];
    return {
      ref: arnOf(env, 'autoscaling', `scalingPolicy:${generatedId(id, 8)}-0000-4000-8000-000000000000:resource/sagemaker/${resourceId}:policyName/${name('PolicyName')}`),
      arn: scalableTargetArn(env, target),
    };
  },
  'AWS::ServiceCatalog::Portfolio': (_n, env, id) => ({ ref: `port-${generatedId(id, 13)}`, arn: '' }),
  // The seed check-in custom resource: Ref is the physical id its function answers (pipelines/seed-checkin/trigger/index.py).
  'Custom::SeedCheckin': (name) => ({ ref: `seed-${name('RepositoryId')}`, arn: '' }),
};

/** Application Auto Scaling ids scalable targets itself; a stable stand-in derived from the target's Ref. */
function scalableTargetArn(env: Environment, ref: string): string {
  return arnOf(env, 'application-autoscaling', `scalable-target/${createHash('sha256').update(ref).digest('hex').slice(0, 36)}`);
}

/** A function name or ARN (Lambda accepts both in FunctionName) as an unqualified ARN. */
function functionArnOf(nameOrArn: string, env: Environment): string {
  return nameOrArn.startsWith('arn:') ? nameOrArn.split(':').slice(0, 7).join(':') : arnOf(env, 'lambda', `function:${nameOrArn}`);
}

/** Child resources whose ARN is built from their parent's (API Gateway paths). */
function apiGatewayChildArn(resource: { type: string; ref: string; properties: any }, env: Environment): string | undefined {
  const base = `arn:${env.partition}:apigateway:${env.region}::/apis/${resource.properties.ApiId}`;
  switch (resource.type) {
    case 'AWS::ApiGatewayV2::Integration': return `${base}/integrations/${resource.ref}`;
    case 'AWS::ApiGatewayV2::Route': return `${base}/routes/${resource.ref}`;
    case 'AWS::ApiGatewayV2::Stage': return `${base}/stages/${resource.ref}`;
    default: return undefined;
  }
}

/** A template evaluated at `parameters` in `env`. */
export class TemplateValues {
  private readonly physical = new Map<string, PhysicalResource>();
  private readonly conditions: Record<string, boolean> = {};
  private readonly inProgress = new Set<string>();

  constructor(readonly template: CfnTemplate & { Conditions?: Record<string, unknown> },
    readonly parameters: Record<string, string>, readonly env: Environment = SAMPLE_ENVIRONMENT, readonly stackName = 'stack') {
    for (const [name, declaration] of Object.entries(template.Parameters ?? {})) {
      if (this.parameters[name] === undefined && declaration.Default === undefined) {
        throw new Error(`parameter ${name} has no value and no default`);
      }
    }
    for (const name of Object.keys(template.Conditions ?? {})) this.condition(name);
  }

  /** Every resource that exists at these parameter values (conditions applied). */
  resources(only?: (logicalId: string, type: string) => boolean): PhysicalResource[] {
    return Object.entries(this.template.Resources)
      .filter(([, r]) => r.Type !== 'AWS::CDK::Metadata')
      .filter(([id, r]) => !only || only(id, r.Type))
      .filter(([, r]) => (r as any).Condition === undefined || this.conditions[(r as any).Condition])
      .map(([id]) => this.resource(id));
  }

  resource(logicalId: string): PhysicalResource {
    const known = this.physical.get(logicalId);
    if (known) return known;
    const declared = this.template.Resources[logicalId];
    if (!declared) throw new Error(`no resource ${logicalId}`);
    if (this.inProgress.has(logicalId)) throw new Error(`reference cycle at ${logicalId}`);
    const rule = PHYSICAL_RULES[declared.Type];
    if (!rule) throw new Error(`no Ref/GetAtt rule for ${declared.Type} (${logicalId}): add it to PHYSICAL_RULES`);
    this.inProgress.add(logicalId);
    const properties = this.resolve(declared.Properties ?? {});
    const name = (prop: string, fallback?: string) => {
      const value = properties[prop] ?? fallback;
      if (typeof value !== 'string') throw new Error(`${logicalId}: ${prop} is needed for its physical id`);
      return value;
    };
    const made = rule(name, this.env, logicalId, properties);
    const arn = made.arn || apiGatewayChildArn({ type: declared.Type, ref: made.ref, properties }, this.env) || '';
    const updatePolicy = (declared as any).UpdatePolicy === undefined ? undefined : this.resolve((declared as any).UpdatePolicy);
    const resource: PhysicalResource = {
      logicalId, type: declared.Type, ref: made.ref, attributes: made.attributes ?? {}, arn, properties, updatePolicy,
    };
    this.inProgress.delete(logicalId);
    this.physical.set(logicalId, resource);
    return resource;
  }

  resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v)).filter((v) => v !== NO_VALUE);
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [fn] = keys;
      const arg = value[fn];
      switch (fn) {
        case 'Ref': return this.ref(arg);
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg : String(arg).split('.');
          const found = this.resource(id).attributes[attribute];
          if (found === undefined) throw new Error(`no rule for Fn::GetAtt ${id}.${attribute}`);
          return found;
        }
        case 'Fn::Join': return (this.resolve(arg[1]) as unknown[]).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::If': return this.resolve(this.condition(arg[0]) ? arg[1] : arg[2]);
        case 'Fn::Sub': {
          const [text, vars] = Array.isArray(arg) ? arg : [arg, {}];
          const bound = this.resolve(vars ?? {});
          return String(text).replace(/\$\{([^}!]+)\}/g, (_m, name: string) => {
            if (bound[name] !== undefined) return bound[name];
            if (name.includes('.')) return this.resolve({ 'Fn::GetAtt': name.split('.') });
            return this.ref(name);
          });
        }
        case 'Fn::ToJsonString': return JSON.stringify(this.resolve(arg));
        default:
          if (fn.startsWith('Fn::')) throw new Error(`unsupported intrinsic ${fn}`);
      }
    }
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) {
      const resolved = this.resolve(v);
      if (resolved !== NO_VALUE) out[k] = resolved;
    }
    return out;
  }

  private ref(name: string): any {
    switch (name) {
      case 'AWS::AccountId': return this.env.account;
      case 'AWS::Region': return this.env.region;
      case 'AWS::Partition': return this.env.partition;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      case 'AWS::StackName': return this.stackName;
      case 'AWS::NoValue': return NO_VALUE;
      default:
    }
    const parameter = this.template.Parameters?.[name];
    if (parameter) return this.parameters[name] ?? String(parameter.Default);
    return this.resource(name).ref;
  }

  private condition(name: string): boolean {
    if (this.conditions[name] !== undefined) return this.conditions[name];
    const declared = this.template.Conditions?.[name];
    if (declared === undefined) throw new Error(`no condition ${name}`);
    const evaluate = (c: any): boolean => {
      const [fn] = Object.keys(c);
      const arg = c[fn];
      switch (fn) {
        case 'Fn::Equals': return String(this.resolve(arg[0])) === String(this.resolve(arg[1]));
        case 'Fn::Not': return !evaluate(arg[0]);
        case 'Fn::And': return arg.every(evaluate);
        case 'Fn::Or': return arg.some(evaluate);
        case 'Condition': return this.condition(arg);
        default: throw new Error(`unsupported condition function ${fn}`);
      }
    };
    this.conditions[name] = evaluate(declared);
    return this.conditions[name];
  }
}

/** `Ref: AWS::NoValue`: the property or list item is removed. */
const NO_VALUE = Symbol('AWS::NoValue');
