import { isWildcardOnlyAction } from '@cloud-copilot/iam-simulate';
import { Call } from './policy-engine';
import { Exclusion, neededActions } from './provider-schema-actions';
import { Environment, PhysicalResource } from './template-values';

/**
 * What CloudFormation calls, as `principal`, to create, read, update, delete and tag one resource:
 * the handler permissions of its resource provider schema (cfn-lint's copy), each at the concrete
 * ARN it acts on. Actions of another service than the resource's (iam:PassRole, the seed archive's
 * s3:GetObject, Lambda's image pull) get their target from the resource's own properties; one that
 * has no rule here fails, so a new cross-service call cannot go unchecked.
 */
export async function resourceHandlerCalls(principal: string, resource: PhysicalResource, exclusions: Exclusion[],
  env: Environment, source: string, boundaryArn?: string): Promise<Call[]> {
  const calls: Call[] = [];
  const add = (action: string, target: string, context?: Record<string, string | string[]>) =>
    calls.push({ principal, action, resource: target, context, source: `${source}: ${resource.type} ${resource.logicalId}` });
  const ownService = SERVICE_OF_TYPE[resource.type.split('::')[1]] ?? resource.type.split('::')[1].toLowerCase();

  for (const action of neededActions(resource.type, exclusions)) {
    const [service, name] = action.split(':');
    if (await isWildcardOnlyAction(service, name)) {
      add(action, '*');
      continue;
    }
    if (service === ownService) {
      for (const target of ownTargets(resource, action, env)) {
        add(action, target, service === 'iam' && boundaryArn ? { 'iam:PermissionsBoundary': boundaryArn } : undefined);
      }
      continue;
    }
    const rule = CROSS_SERVICE[`${resource.type} ${action}`];
    if (!rule) throw new Error(`no target rule for ${action} on ${resource.type}: add it to CROSS_SERVICE or exclude it with a reason`);
    for (const [target, context] of rule(resource, env)) add(action, target, context);
  }
  return calls;
}

/** Resource types whose IAM service prefix differs from the CloudFormation namespace. */
const SERVICE_OF_TYPE: Record<string, string> = { ApiGatewayV2: 'apigateway' };

/** The ARN(s) an action of the resource's own service acts on. */
function ownTargets(resource: PhysicalResource, action: string, env: Environment): string[] {
  switch (resource.type) {
    case 'AWS::IAM::Policy':
      return (resource.properties.Roles as string[]).map((role) => `arn:${env.partition}:iam::${env.account}:role/${role}`);
    case 'AWS::S3::BucketPolicy':
      return [`arn:${env.partition}:s3:::${resource.properties.Bucket}`];
    case 'AWS::Lambda::Permission':
      return [resource.properties.FunctionName];
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

type Target = [arn: string, context?: Record<string, string | string[]>];
type CrossServiceRule = (resource: PhysicalResource, env: Environment) => Target[];

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
  'AWS::Events::Rule iam:PassRole': (r) => (r.properties.Targets as any[]).flatMap((t) => passRole(t.RoleArn, 'events.amazonaws.com')),
  'AWS::S3::Bucket iam:PassRole': (r) => passRole(r.properties.ReplicationConfiguration?.Role, 's3.amazonaws.com'),
  'AWS::CodeCommit::Repository s3:GetObject': seedArchive,
  'AWS::CodeCommit::Repository s3:GetObjectVersion': seedArchive,
  'AWS::Lambda::Function iam:PassRole': (r) => passRole(r.properties.Role, 'lambda.amazonaws.com'),
  'AWS::ApiGatewayV2::Integration iam:PassRole': (r) => passRole(r.properties.CredentialsArn, 'apigateway.amazonaws.com'),
  'AWS::SageMaker::EndpointConfig iam:PassRole': (r) => passRole(r.properties.ExecutionRoleArn, 'sagemaker.amazonaws.com'),
  'AWS::SageMaker::Model iam:PassRole': (r) => passRole(r.properties.ExecutionRoleArn, 'sagemaker.amazonaws.com'),
};

function seedArchive(r: PhysicalResource, env: Environment): Target[] {
  const s3 = r.properties.Code?.S3;
  return s3 ? [[`arn:${env.partition}:s3:::${s3.Bucket}/${s3.Key}`]] : [];
}
