import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { Call } from './policy-engine';
import { Exclusion, neededActions } from './provider-schema-actions';
import { Environment, PhysicalResource } from './template-values';

/** The service prefix of a connection's ARN (codeconnections or codestar-connections): IAM evaluates its actions under that prefix. */
export const connectionService = (connectionArn: string): string => connectionArn.split(':')[2];

/**
 * What CloudFormation calls, as `principal`, to create, read, update, delete and tag one resource:
 * the handler permissions of its resource provider schema (cfn-lint's copy), each at the concrete
 * ARN it acts on. Actions of another service than the resource's (iam:PassRole, the seed archive's
 * s3:GetObject, Lambda's image pull) get their target from the resource's own properties; one that
 * has no rule here fails, so a new cross-service call cannot go unchecked.
 */
export async function resourceHandlerCalls(principal: string, resource: PhysicalResource, exclusions: Exclusion[],
  env: Environment, source: string, boundaryArn?: string, siblings: PhysicalResource[] = []): Promise<Call[]> {
  const calls: Call[] = [];
  const add = (action: string, target: string, context?: Record<string, string | string[]>) =>
    calls.push({ principal, action, resource: target, context, source: `${source}: ${resource.type} ${resource.logicalId}` });
  const ownService = SERVICE_OF_TYPE[resource.type.split('::')[1]] ?? resource.type.split('::')[1].toLowerCase();

  for (const action of neededActions(resource.type, exclusions)) {
    const [service, name] = action.split(':');
    if (await isWildcardOnlyAction(service, name)) {
      add(action, '*', tagContext(resource));
      continue;
    }
    if (service === ownService) {
      for (const target of ownTargets(resource, action, env)) {
        add(action, target, service === 'iam' && boundaryArn ? { 'iam:PermissionsBoundary': boundaryArn } : tagContext(resource) ?? scalingContext(resource, action));
      }
      continue;
    }
    const rule = CROSS_SERVICE[`${resource.type} ${action}`] ?? (resource.type === 'AWS::Lambda::Alias' && service === 'codedeploy' ? aliasDeployment : undefined);
    if (!rule) throw new Error(`no target rule for ${action} on ${resource.type}: add it to CROSS_SERVICE or exclude it with a reason`);
    for (const [target, context, asAction] of rule(resource, env, action, siblings)) add(asAction ?? action, target, context);
  }
  return calls;
}

/**
 * The tag condition keys of calls on a KMS key: the launch role's key statements are scoped by the
 * project tag, because key ARNs are generated. CreateKey carries the template's tags (aws:RequestTag);
 * every later call acts on a key that has them (aws:ResourceTag). (AWS KMS developer guide, "ABAC for AWS KMS".)
 */
function tagContext(resource: PhysicalResource): Record<string, string | string[]> | undefined {
  if (resource.type !== 'AWS::KMS::Key') return undefined;
  const tags = (resource.properties.Tags ?? []) as Array<{ Key: string; Value: string }>;
  return Object.fromEntries([
    ...tags.flatMap(({ Key, Value }) => [[`aws:RequestTag/${Key}`, Value], [`aws:ResourceTag/${Key}`, Value]]),
    ['aws:TagKeys', tags.map(({ Key }) => Key)],
  ]);
}

/** Resource types whose IAM service prefix differs from the CloudFormation namespace. */
const SERVICE_OF_TYPE: Record<string, string> = { ApiGatewayV2: 'apigateway', ApplicationAutoScaling: 'application-autoscaling' };

/** The ARN(s) an action of the resource's own service acts on. */
function ownTargets(resource: PhysicalResource, action: string, env: Environment): string[] {
  switch (resource.type) {
    case 'AWS::IAM::Policy':
      return (resource.properties.Roles as string[]).map((role) => `arn:${env.partition}:iam::${env.account}:role/${role}`);
    case 'AWS::S3::BucketPolicy':
      return [`arn:${env.partition}:s3:::${resource.properties.Bucket}`];
    case 'AWS::Lambda::Permission':
      return [resource.properties.FunctionName];
    case 'AWS::SNS::TopicPolicy':
      return resource.properties.Topics as string[];
    case 'AWS::Lambda::Version':
    case 'AWS::Lambda::Alias':
      // Provisioned concurrency is configured on the version or alias (resource types "function version"/"function
      // alias"); every other call names the function (its resource type "function").
      return /ProvisionedConcurrencyConfig$/.test(action) ? [resource.arn] : [resource.arn.split(':').slice(0, 7).join(':')];
    case 'AWS::CodeDeploy::DeploymentGroup':
      return action === 'codedeploy:GetDeploymentConfig' ? [deploymentConfigArn(resource.properties.DeploymentConfigName, env)] : [resource.arn];
    case 'AWS::S3::Bucket':
      // Emptying a bucket on delete acts on its objects.
      return action === 's3:DeleteObject' || action === 's3:PutObjectAcl' ? [`${resource.arn}/*`] : [resource.arn];
    default:
  }
  if (resource.type === 'AWS::CodePipeline::Pipeline' && /StageTransition$/.test(action)) {
    // Stage transitions are authorized on the stage: <pipeline ARN>/<stage name>.
    return (resource.properties.Stages as Array<{ Name: string }>).map((stage) => `${resource.arn}/${stage.Name}`);
  }
  if (resource.type.startsWith('AWS::ApiGatewayV2::') && action === 'apigateway:POST') {
    // API Gateway authorizes a create as POST on the parent collection.
    return [resource.arn.replace(/\/[^/]+$/, '')];
  }
  if (!resource.arn) throw new Error(`no ARN for ${resource.type} ${resource.logicalId}`);
  return [resource.arn];
}

/**
 * Application Auto Scaling's condition keys on the calls that support them (Service Authorization
 * Reference: Register/DeregisterScalableTarget, Put/DeleteScalingPolicy, Put/DeleteScheduledAction).
 */
function scalingContext(resource: PhysicalResource, action: string): Record<string, string> | undefined {
  if (!/^application-autoscaling:(Register|Deregister)ScalableTarget$|^application-autoscaling:(Put|Delete)(ScalingPolicy|ScheduledAction)$/.test(action)) {
    return undefined;
  }
  const [, dimension, namespace] = resource.type === 'AWS::ApplicationAutoScaling::ScalableTarget'
    ? resource.ref.split('|') : String(resource.properties.ScalingTargetId).split('|');
  return { 'application-autoscaling:service-namespace': namespace, 'application-autoscaling:scalable-dimension': dimension };
}

/** The ARN a call acts on, its condition keys, and the action IAM evaluates when it differs from the schema's. */
type Target = [arn: string, context?: Record<string, string | string[]>, action?: string];
type CrossServiceRule = (resource: PhysicalResource, env: Environment, action: string, siblings: PhysicalResource[]) => Target[];

const deploymentConfigArn = (name: string, env: Environment) => `arn:${env.partition}:codedeploy:${env.region}:${env.account}:deploymentconfig:${name}`;

/**
 * An alias with UpdatePolicy CodeDeployLambdaAliasUpdate: CloudFormation's update starts a deployment in the deployment group
 * the policy names and reads that group's deployment configuration.
 */
function aliasDeployment(alias: PhysicalResource, env: Environment, action: string, siblings: PhysicalResource[]): Target[] {
  const policy = alias.updatePolicy?.CodeDeployLambdaAliasUpdate;
  if (!policy) throw new Error(`${alias.logicalId}: ${action} is for aliases with UpdatePolicy CodeDeployLambdaAliasUpdate`);
  const group = siblings.find((r) => r.type === 'AWS::CodeDeploy::DeploymentGroup' && r.ref === policy.DeploymentGroupName
    && r.properties.ApplicationName === policy.ApplicationName);
  if (!group) throw new Error(`${alias.logicalId}: deployment group ${policy.ApplicationName}/${policy.DeploymentGroupName} is not in the template`);
  return [[action === 'codedeploy:GetDeploymentConfig' ? deploymentConfigArn(group.properties.DeploymentConfigName, env) : group.arn]];
}

const passRole = (roleArn: string | undefined, service: string): Target[] =>
  (roleArn ? [[roleArn, { 'iam:PassedToService': service }]] : []);

/** Calls one resource's handlers make on another service, with the target taken from its properties. */
const CROSS_SERVICE: Record<string, CrossServiceRule> = {
  'AWS::CodeBuild::Project iam:PassRole': (r) => passRole(r.properties.ServiceRole, 'codebuild.amazonaws.com'),
  'AWS::CodePipeline::Pipeline iam:PassRole': (r) => [
    ...passRole(r.properties.RoleArn, 'codepipeline.amazonaws.com'),
    // An action RoleArn is assumed by CodePipeline too; CreatePipeline checks it can be passed.
    ...(r.properties.Stages as any[]).flatMap((s) => s.Actions).filter((a) => a.RoleArn)
      .flatMap((a) => passRole(a.RoleArn, 'codepipeline.amazonaws.com')),
  ],
  'AWS::CodePipeline::Pipeline iam:GetRole': (r) => [[r.properties.RoleArn]],
  // The connection of each CodeStarSourceConnection action. The schema names the codestar-connections prefix only; IAM
  // evaluates the prefix of the connection's own ARN ("Connections rename - Summary of changes": the service prefix in a
  // policy must match the resource's).
  'AWS::CodePipeline::Pipeline codestar-connections:PassConnection': (r) => [...new Set((r.properties.Stages as any[])
    .flatMap((s) => s.Actions).filter((a) => a.ActionTypeId.Provider === 'CodeStarSourceConnection')
    .map((a) => a.Configuration.ConnectionArn as string))].map((arn): Target => {
    const service = connectionService(arn);
    return [arn, { [`${service}:PassedToService`]: 'codepipeline.amazonaws.com' }, `${service}:PassConnection`];
  }),
  'AWS::Events::Rule iam:PassRole': (r) => (r.properties.Targets as any[]).flatMap((t) => passRole(t.RoleArn, 'events.amazonaws.com')),
  'AWS::S3::Bucket iam:PassRole': (r) => passRole(r.properties.ReplicationConfiguration?.Role, 's3.amazonaws.com'),
  'AWS::CodeCommit::Repository s3:GetObject': seedArchive,
  'AWS::CodeCommit::Repository s3:GetObjectVersion': seedArchive,
  'AWS::Lambda::Function iam:PassRole': (r) => passRole(r.properties.Role, 'lambda.amazonaws.com'),
  // A zip function's code (Lambda reads it as the caller at CreateFunction and UpdateFunctionCode).
  'AWS::Lambda::Function s3:GetObject': lambdaCode,
  'AWS::Lambda::Function s3:GetObjectVersion': lambdaCode,
  'AWS::CodeDeploy::DeploymentGroup iam:PassRole': (r) => passRole(r.properties.ServiceRoleArn, 'codedeploy.amazonaws.com'),
  'AWS::ApiGatewayV2::Integration iam:PassRole': (r) => passRole(r.properties.CredentialsArn, 'apigateway.amazonaws.com'),
  'AWS::SageMaker::EndpointConfig iam:PassRole': (r) => passRole(r.properties.ExecutionRoleArn, 'sagemaker.amazonaws.com'),
  // Delivery-status logging (Topic) and Firehose subscriptions (Subscription) would pass a role; neither is configured.
  'AWS::SNS::Topic iam:GetRole': () => [],
  'AWS::SNS::Topic iam:PassRole': () => [],
  'AWS::SNS::Subscription iam:GetRole': (r) => (r.properties.SubscriptionRoleArn ? [[r.properties.SubscriptionRoleArn]] : []),
  'AWS::SNS::Subscription iam:PassRole': (r) => passRole(r.properties.SubscriptionRoleArn, 'sns.amazonaws.com'),
  'AWS::SageMaker::Model iam:PassRole': (r) => passRole(r.properties.ExecutionRoleArn, 'sagemaker.amazonaws.com'),
  // Without RoleARN Application Auto Scaling uses its service-linked role, which the first registration
  // creates as the caller (Application Auto Scaling "Service-linked roles").
  'AWS::ApplicationAutoScaling::ScalableTarget iam:PassRole': (r) => passRole(r.properties.RoleARN, 'application-autoscaling.amazonaws.com'),
  'AWS::ApplicationAutoScaling::ScalableTarget iam:CreateServiceLinkedRole': (r, env) => {
    const service = `${r.properties.ServiceNamespace}.application-autoscaling.amazonaws.com`;
    if (r.properties.ServiceNamespace !== 'sagemaker') throw new Error(`no service-linked role rule for ${r.properties.ServiceNamespace}`);
    return [[`arn:${env.partition}:iam::${env.account}:role/aws-service-role/${service}/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
      { 'iam:AWSServiceName': service }]];
  },
  // The handler manages target tracking's alarms, TargetTracking-<resource id>-AlarmHigh|Low-<uuid>.
  ...Object.fromEntries(['PutMetricAlarm', 'DeleteAlarms', 'DescribeAlarms'].map((a) => [`AWS::ApplicationAutoScaling::ScalableTarget cloudwatch:${a}`,
    (r: PhysicalResource, env: Environment): Target[] => [[`arn:${env.partition}:cloudwatch:${env.region}:${env.account}:alarm:TargetTracking-${r.ref.split('|')[0]}-AlarmHigh-0a1b2c3d`]]])),
  // Provisioned concurrency calls concern Lambda targets only.
  ...Object.fromEntries(['GetProvisionedConcurrencyConfig', 'PutProvisionedConcurrencyConfig', 'DeleteProvisionedConcurrencyConfig']
    .map((a) => [`AWS::ApplicationAutoScaling::ScalableTarget lambda:${a}`, (r: PhysicalResource): Target[] => {
      if (r.properties.ServiceNamespace === 'lambda') throw new Error('a Lambda scalable target needs a rule for its function');
      return [];
    }])),
  // Target tracking reads the metric it tracks; GetMetricData on classic metrics is authorized on "*".
  'AWS::ApplicationAutoScaling::ScalingPolicy cloudwatch:GetMetricData': () => [['*']],
};

function lambdaCode(r: PhysicalResource, env: Environment): Target[] {
  const code = r.properties.Code;
  return code?.S3Bucket ? [[`arn:${env.partition}:s3:::${code.S3Bucket}/${code.S3Key}`]] : [];
}

function seedArchive(r: PhysicalResource, env: Environment): Target[] {
  const s3 = r.properties.Code?.S3;
  return s3 ? [[`arn:${env.partition}:s3:::${s3.Bucket}/${s3.Key}`]] : [];
}
