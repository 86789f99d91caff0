import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { IamWorld, asList } from './iam-world';
import { Call } from './policy-engine';
import { Exclusion } from './provider-schema-actions';
import { connectionService, resourceHandlerCalls } from './resource-handler-calls';
import { buildspecCalls, FoundCall, pythonCalls, recordedModelBuildCalls, SEEDS_DIR, typeScriptCalls } from './seed-code-calls';
import { Environment, PhysicalResource, SAMPLE_ENVIRONMENT, TemplateValues } from './template-values';
import { NOTIFICATION_EMAIL_PARAMETER } from '../../pipelines/project-notifications';
import { ProjectIdentity } from '../../product/sagemaker-project';
import { CfnTemplate, CONNECTIONS_SYNTH_DIR, portfolioTemplate, ProductKind, productTemplate, SYNTH_DIR } from '../synthesized-app';

/**
 * The call inventory: every AWS request one project's life makes, from launch to a served
 * prediction, as (principal, action, concrete ARN, context), at sample values. Each group says
 * which AWS behaviour it follows; the code-derived groups (provider schemas, pipeline stages,
 * buildspecs, SDK calls) are read from the artifacts, so a new resource, stage or call lands here
 * by itself or fails the suite.
 */

const ROOT = path.join(__dirname, '..', '..');
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
export const LAMBDA_SEED_TEMPLATE = path.join(SEEDS_DIR, 'model-deploy', 'cdk.out', 'InferenceService.template.json');
export const ENDPOINT_SEED_TEMPLATE = path.join(SEEDS_DIR, 'model-deploy-endpoint', 'template.yml');
const STAGES = ['staging', 'prod'] as const;

/** Log groups (build logs in the product, function and access logs in the Lambda seed) set only a name and a retention. */
const LOG_GROUP_EXCLUSIONS: Exclusion[] = [
  [/^firehose:/, 'logs go to CloudWatch Logs only'],
  [/^logs:(PutDataProtectionPolicy|DeleteDataProtectionPolicy|PutIndexPolicy|DeleteIndexPolicy|PutBearerTokenAuthentication|AssociateKmsKey|DisassociateKmsKey)$/,
    'log groups set only retention: no data protection, index policies, bearer tokens or KMS'],
];

/** Provider-schema actions the launch role never needs: features the product templates do not configure. */
export const LAUNCH_EXCLUSIONS: Exclusion[] = [
  ...LOG_GROUP_EXCLUSIONS,
  [/^kms:/, 'the one customer-managed key is the notification topic\'s; ECR, S3, logs and CodeCommit use AWS-owned or AWS-managed keys', 'AWS::KMS::Key'],
  [/^s3tables:/, 'S3 metadata tables are not configured on project buckets'],
  [/^s3:(Create|Update|Delete|Get)Bucket\w*MetadataTableConfiguration$|^s3:UpdateBucketMetadata/, 'S3 metadata tables are not configured'],
  [/^s3:(PutBucketReplication|PutReplicationConfiguration|DeleteBucketReplication)$/, 'project buckets are not replicated'],
  [/^sns:PutDataProtectionPolicy$/, 'the notification topic sets no message data protection policy'],
  [/^iam:(Put|Get|Delete)(User|Group)Policy$/, 'the template attaches inline policies to roles only'],
  [/^iam:DeleteRolePermissionsBoundary$/, 'project roles keep the boundary: the launch role must never be able to remove it'],
  [/^codecommit:UpdateRepositoryEncryptionKey$/, 'repositories use the AWS-managed key'],
];

/** With CodeCommit repositories: the pipelines name no connection. */
export const CODECOMMIT_LAUNCH_EXCLUSIONS: Exclusion[] = [
  ...LAUNCH_EXCLUSIONS,
  [/^codestar-connections:/, 'the pipelines read CodeCommit, not a CodeStar connection'],
];

/** With repositories behind a connection: what the seed check-in function (pipelines/seed-checkin.ts) does not configure. */
export const CONNECTION_LAUNCH_EXCLUSIONS: Exclusion[] = [
  ...LAUNCH_EXCLUSIONS,
  [/^(ec2|elasticfilesystem|s3files):/, 'the seed check-in function runs outside a VPC and mounts no file system'],
  [/^lambda:(GetCodeSigningConfig|PutFunctionCodeSigningConfig|DeleteFunctionCodeSigningConfig|GetLayerVersion|PassCapacityProvider|AssociateRuntimeAlias)$/,
    'the seed check-in function uses no code signing, layers, capacity providers or runtime aliases'],
];

/** Where a flow's repositories are: the default CodeCommit, or behind a connection of the given ARN. */
export type FlowSource = { provider: 'codecommit' } | { provider: 'codeconnections'; connectionArn: string };
const CODECOMMIT: FlowSource = { provider: 'codecommit' };
/** The sample repositories a connection flow launches with. */
export const SAMPLE_REPOSITORIES = { ModelBuildRepository: 'my-org/churn-modelbuild', ModelDeployRepository: 'my-org/churn-modeldeploy' };

/** Provider-schema actions the deploy role never needs for the seed deploy templates. */
export const DEPLOY_EXCLUSIONS: Exclusion[] = [
  [/^kms:/, 'no customer-managed KMS key is used (Lambda, logs and endpoints use AWS-owned keys)'],
  [/^(ec2|elasticfilesystem|s3files):/, 'the function runs outside a VPC and mounts no file system'],
  [/^s3:/, 'the function is an image from ECR, not a zip from S3; no API definition is imported from S3'],
  [/^lambda:(GetCodeSigningConfig|PutFunctionCodeSigningConfig|DeleteFunctionCodeSigningConfig|GetLayerVersion|PassCapacityProvider)$/,
    'no code signing, layers or capacity providers'],
  [/^application-autoscaling:(Put|Delete)ScheduledAction$/, 'the endpoint scalable targets have no scheduled actions'],
  [/^codedeploy:(RegisterApplicationRevision|GetApplicationRevision|RegisterOnPremisesInstance)$/,
    'the deployment group sets no Deployment property (an EC2/on-premises revision); the Lambda deployments are started by '
    + 'the alias\'s CodeDeployLambdaAliasUpdate update, whose handler (AWS::Lambda::Alias) lists none of these'],
  ...LOG_GROUP_EXCLUSIONS,
];

/** Facts read from AWS's own libraries by aws_facts.py (SageMaker SDK image URIs, cfn-lint decoding, botocore operations). */
export interface AwsFacts {
  readonly images: { xgboost: string; sklearn: string };
  readonly templates: Record<string, CfnTemplate>;
  readonly operations: Record<string, { signingName: string; endpointPrefix: string; methods: Record<string, string> }>;
}

let cachedFacts: AwsFacts | undefined;
export function awsFacts(env: Environment = SAMPLE_ENVIRONMENT): AwsFacts {
  if (!cachedFacts) {
    const out = execFileSync(PYTHON, [path.join(__dirname, 'aws_facts.py'), env.region, ENDPOINT_SEED_TEMPLATE], { encoding: 'utf8' });
    // The SageMaker SDK logs to stdout on import; the JSON is the last line.
    cachedFacts = JSON.parse(out.trim().split('\n').pop()!);
  }
  return cachedFacts!;
}

/** One project's evaluated templates and every call its life makes. */
export interface ProjectFlow {
  readonly label: string;
  readonly world: IamWorld;
  readonly calls: Call[];
  /** Calls the design forbids: each must be denied. */
  readonly forbidden: Call[];
  /** Calls found in seed code, and the inventory keys that matched them (for the honesty checks). */
  readonly foundSeedCalls: FoundCall[];
  readonly mappedSeedCalls: Set<string>;
}

/** A product CodeBuild project, the name of its service role and its environment variables. */
interface CodeBuildProject { readonly project: PhysicalResource; readonly role: string; readonly env: Record<string, string> }

const arnIn = (env: Environment, service: string, resource: string) => `arn:${env.partition}:${service}:${env.region}:${env.account}:${resource}`;
const s3Object = (env: Environment, bucket: string, key: string) => `arn:${env.partition}:s3:::${bucket}/${key}`;
/** A CloudFormation stack ARN (stack id suffix is generated). */
const stackArn = (env: Environment, name: string) => arnIn(env, 'cloudformation', `stack/${name}/0a1b2c3d-0000-4000-8000-000000000000`);

export async function projectFlow(kind: ProductKind, project: ProjectIdentity, env: Environment = SAMPLE_ENVIRONMENT,
  gitSource: FlowSource = CODECOMMIT): Promise<ProjectFlow> {
  const connections = gitSource.provider === 'codeconnections';
  // Each synthesized app is its own set of policies: the connection app's names carry a suffix.
  const variant = connections ? `+${connectionService(gitSource.connectionArn)}` : '';
  const label = `${kind}${variant}:${project.projectName}`;
  const synthDir = connections ? CONNECTIONS_SYNTH_DIR : SYNTH_DIR;
  const portfolio = new TemplateValues(portfolioTemplate(synthDir), {}, env, 'SageMakerServerlessInferencePortfolio');
  const product = new TemplateValues(productTemplate(kind, synthDir), {
    SageMakerProjectName: project.projectName,
    SageMakerProjectId: project.projectId,
    // The optional launch field set: the e-mail subscription's calls are checked too.
    [NOTIFICATION_EMAIL_PARAMETER]: 'ml-team@example.com',
    ...(connections ? { CodeConnectionArn: gitSource.connectionArn, ...SAMPLE_REPOSITORIES } : {}),
  },
  env, 'SC-111122223333-pp-abcdefghijklm');
  const world = new IamWorld();
  // From the portfolio, the launch role and the boundary; its other resources are deployed by the platform team with CDK.
  const launchSide = (id: string, type: string) => /^LaunchRole/.test(id) && type.startsWith('AWS::IAM::');
  world.add(connections ? 'portfolio+connections' : 'portfolio', portfolio, launchSide);
  world.add(`product(${kind}${connections ? '+connections' : ''})`, product);
  const resources = product.resources();
  const byType = (type: string) => resources.filter((r) => r.type === type);
  const launchRole = portfolio.resources(launchSide).find((r) => r.type === 'AWS::IAM::Role')!;
  const boundaryArn = portfolio.resources(launchSide).find((r) => r.type === 'AWS::IAM::ManagedPolicy' && /PermissionsBoundary/.test(r.logicalId))!.ref;
  const bucket = byType('AWS::S3::Bucket')[0];
  const calls: Call[] = [];
  const buildEnv = (projectResource: PhysicalResource) => Object.fromEntries(
    asList<any>(projectResource.properties.Environment.EnvironmentVariables).map((v) => [v.Name, String(v.Value)]));
  const codeBuild = (nameSuffix: string): CodeBuildProject => {
    const found = byType('AWS::CodeBuild::Project').find((p) => p.ref.endsWith(nameSuffix));
    if (!found) throw new Error(`no CodeBuild project *${nameSuffix}`);
    return { project: found, role: world.roleByArn(found.properties.ServiceRole).name, env: buildEnv(found) };
  };

  // 1. Service Catalog assumes the launch role and provisions the product stack (Service Catalog
  //    "Launch constraints" guide: the role needs the CloudFormation stack calls and s3:GetObject on
  //    the product template, which Service Catalog tags servicecatalog:provisioning=true).
  const scStack = stackArn(env, product.stackName);
  calls.push({ principal: 'servicecatalog.amazonaws.com', action: 'sts:AssumeRole', resource: launchRole.arn, source: 'Service Catalog launch' });
  for (const action of ['CreateStack', 'UpdateStack', 'DeleteStack', 'DescribeStacks', 'DescribeStackEvents', 'DescribeStackResources', 'GetTemplate']) {
    calls.push({ principal: launchRole.ref, action: `cloudformation:${action}`, resource: scStack, source: 'Service Catalog provisioning' });
  }
  for (const action of ['ValidateTemplate', 'GetTemplateSummary']) {
    calls.push({ principal: launchRole.ref, action: `cloudformation:${action}`, resource: '*', source: 'Service Catalog provisioning' });
  }
  calls.push({
    principal: launchRole.ref,
    action: 's3:GetObject',
    resource: s3Object(env, `cf-templates-servicecatalog-${env.region}`, 'product/template.json'),
    context: { 's3:ExistingObjectTag/servicecatalog:provisioning': 'true' },
    source: 'Service Catalog reads the product template',
  });

  // 2. CloudFormation, as the launch role, creates/updates/deletes every product resource.
  for (const r of resources) {
    if (r.type.startsWith('Custom::')) {
      // A custom resource has no provider schema: CloudFormation invokes its function with the stack's role on create,
      // update and delete (CloudFormation user guide, "Lambda-backed custom resources").
      calls.push({ principal: launchRole.ref, action: 'lambda:InvokeFunction', resource: r.properties.ServiceToken, source: `launch (${kind}): ${r.type} ${r.logicalId}` });
      continue;
    }
    calls.push(...await resourceHandlerCalls(launchRole.ref, r, connections ? CONNECTION_LAUNCH_EXCLUSIONS : CODECOMMIT_LAUNCH_EXCLUSIONS,
      env, `launch (${kind})`, boundaryArn));
  }

  // 3. Each service assumes the roles the template hands it.
  const assumes = (service: string, roleArn: string, source: string) =>
    calls.push({ principal: service, action: 'sts:AssumeRole', resource: roleArn, source });
  for (const p of byType('AWS::CodeBuild::Project')) assumes('codebuild.amazonaws.com', p.properties.ServiceRole, `CodeBuild ${p.ref}`);
  for (const rule of byType('AWS::Events::Rule')) {
    for (const target of asList<any>(rule.properties.Targets)) {
      if (String(target.Arn).startsWith(`arn:${env.partition}:sns:`)) {
        // EventBridge publishes to a topic as its service principal, on the topic policy (no role).
        calls.push(...publishesTo(target.Arn, 'events.amazonaws.com', rule.arn, resources, env, `EventBridge rule ${rule.ref}`));
        continue;
      }
      assumes('events.amazonaws.com', target.RoleArn, `EventBridge rule ${rule.ref}`);
      calls.push({ principal: world.roleByArn(target.RoleArn).name, action: 'codepipeline:StartPipelineExecution', resource: target.Arn, source: `EventBridge rule ${rule.ref}` });
    }
  }

  // 4. CodePipeline runs each action as the pipeline role ("Manage the CodePipeline service role":
  //    per provider, the calls below; artifacts are objects <pipeline name, 20 chars>/<artifact>/<id>).
  for (const pipeline of byType('AWS::CodePipeline::Pipeline')) {
    const role = world.roleByArn(pipeline.properties.RoleArn).name;
    assumes('codepipeline.amazonaws.com', pipeline.properties.RoleArn, `CodePipeline ${pipeline.ref}`);
    const store = pipeline.properties.ArtifactStore.Location;
    const artifact = (name: string) => s3Object(env, store, `${pipeline.ref.slice(0, 20)}/${name}/AbCdEf1`);
    const run = (action: string, resource: string, source: string, context?: Record<string, string>) =>
      calls.push({ principal: role, action, resource, context, source: `${pipeline.ref} ${source}` });
    for (const stage of pipeline.properties.Stages as any[]) {
      for (const action of stage.Actions as any[]) {
        const where = `${stage.Name}/${action.Name}`;
        if (action.RoleArn) {
          // An action role is assumed through the pipeline role: allowed by it, and by the action role's trust.
          run('sts:AssumeRole', action.RoleArn, where);
          calls.push({ principal: role, action: 'sts:AssumeRole', resource: action.RoleArn, source: `${where} (trust)` });
        }
        for (const input of asList<any>(action.InputArtifacts)) run('s3:GetObject', artifact(input.Name), where);
        for (const output of asList<any>(action.OutputArtifacts)) run('s3:PutObject', artifact(output.Name), where);
        const config = action.Configuration;
        switch (action.ActionTypeId.Provider) {
          case 'CodeCommit': {
            const repo = arnIn(env, 'codecommit', config.RepositoryName);
            for (const a of ['GetBranch', 'GetCommit', 'UploadArchive', 'GetUploadArchiveStatus']) run(`codecommit:${a}`, repo, where);
            break;
          }
          case 'CodeStarSourceConnection': {
            // CodePipeline user guide, "CodeStarSourceConnection for Bitbucket Cloud, GitHub, GitHub Enterprise Server, GitLab.com,
            // and GitLab self-managed actions": the service role needs UseConnection on the connection (under the prefix of its
            // ARN) to read the repository; the output archive is written to the artifact store with its ACL (what CDK's own
            // CodeStarConnectionsSourceAction grants).
            const service = connectionService(String(config.ConnectionArn));
            run(`${service}:UseConnection`, config.ConnectionArn, where, connectionContext(service, config.FullRepositoryId, config.BranchName, 'read_only'));
            for (const output of asList<any>(action.OutputArtifacts)) run('s3:PutObjectAcl', artifact(output.Name), where);
            break;
          }
          case 'CodeBuild':
            for (const a of ['StartBuild', 'BatchGetBuilds']) run(`codebuild:${a}`, arnIn(env, 'codebuild', `project/${config.ProjectName}`), where);
            break;
          case 'CloudFormation': {
            const stack = stackArn(env, config.StackName);
            const modes: Record<string, string[]> = {
              CREATE_UPDATE: ['DescribeStacks', 'CreateStack', 'UpdateStack'],
              REPLACE_ON_FAILURE: ['DescribeStacks', 'CreateStack', 'UpdateStack', 'DeleteStack'],
              CHANGE_SET_REPLACE: ['DescribeStacks', 'CreateChangeSet', 'DescribeChangeSet', 'DeleteChangeSet'],
              CHANGE_SET_EXECUTE: ['DescribeStacks', 'DescribeChangeSet', 'ExecuteChangeSet'],
            };
            const used = modes[config.ActionMode];
            if (!used) throw new Error(`${where}: no inventory for CloudFormation ActionMode ${config.ActionMode}`);
            for (const a of used) run(`cloudformation:${a}`, stack, where);
            // The CodePipeline service role policy lists ValidateTemplate for CloudFormation actions.
            run('cloudformation:ValidateTemplate', '*', where);
            run('iam:PassRole', config.RoleArn, where, { 'iam:PassedToService': 'cloudformation.amazonaws.com' });
            calls.push({ principal: 'cloudformation.amazonaws.com', action: 'sts:AssumeRole', resource: config.RoleArn, source: `${pipeline.ref} ${where}` });
            break;
          }
          case 'Manual':
            break;
          default:
            throw new Error(`${where}: no inventory for action provider ${action.ActionTypeId.Provider}`);
        }
      }
    }
  }

  // 5. CodeBuild, as each build role, writes its logs and reads/writes the pipeline's artifacts (CodeBuild
  //    "Allow CodeBuild to interact with other AWS services": logs under /aws/codebuild/<project>).
  for (const p of byType('AWS::CodeBuild::Project')) {
    const role = world.roleByArn(p.properties.ServiceRole).name;
    const group = `log-group:/aws/codebuild/${p.ref}`;
    calls.push({ principal: role, action: 'logs:CreateLogGroup', resource: arnIn(env, 'logs', group), source: `CodeBuild ${p.ref}` });
    for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      calls.push({ principal: role, action: a, resource: arnIn(env, 'logs', `${group}:log-stream:0a1b2c3d`), source: `CodeBuild ${p.ref}` });
    }
    if (p.properties.Source.Type === 'CODEPIPELINE') {
      calls.push({ principal: role, action: 's3:GetObject', resource: s3Object(env, bucket.ref, 'sagemaker-pipeline/Source/AbCdEf1'), source: `CodeBuild ${p.ref} input artifact` });
    }
  }
  if (connections) calls.push(...seedCheckinCalls(resources, world, codeBuild('-seed-checkin'), env, gitSource.connectionArn));
  const deployBuild = codeBuild('-modeldeploy');
  calls.push({ principal: deployBuild.role, action: 's3:PutObject', resource: s3Object(env, bucket.ref, 'sagemaker-pipeline/Build/AbCdEf1'), source: 'CodeBuild deploy build output artifact' });

  // 6. The seed code's own calls, as the role of the CodeBuild project that runs it.
  const found: FoundCall[] = [];
  const mapped = new Set<string>();
  const seedCall = (seed: string, call: string, principal: string, action: string, resource: string, context?: Record<string, string>) => {
    mapped.add(`${seed} ${call}`);
    calls.push({ principal, action, resource, context, source: `seed ${seed}: ${call}` });
  };
  const modelBuild = codeBuild('-modelbuild');
  const mbEnv = modelBuild.env;
  const groupName = byType('AWS::SageMaker::ModelPackageGroup')[0].properties.ModelPackageGroupName as string;
  const modelPackage = arnIn(env, 'sagemaker', `model-package/${groupName.toLowerCase()}/3`);
  const modelData = s3Object(env, bucket.ref, 'abalone/models/pipelines-abc123-TrainAbaloneModel-xyz/output/model.tar.gz');

  found.push(...buildspecCalls('model-build'));
  for (const recorded of recordedModelBuildCalls().filter((c) => c.must_be_allowed)) {
    if (recorded.command) mapped.add(`model-build aws-cli ${recorded.command.replace(/^aws /, '')}`);
    const sample = (text: string, isSageMakerArn: boolean) => text
      .replace(/111122223333/g, env.account).replace(/eu-west-1/g, env.region)
      .replace(/2026-churn-p-abcdefghijkl/g, isSageMakerArn ? `${project.projectName}-${project.projectId}`.toLowerCase() : `${project.projectName}-${project.projectId}`)
      .replace(/2026-churn/g, project.projectName)
      .replace(/p-abcdefghijkl/g, project.projectId)
      // A recorded key's content hash.
      .replace(/\/\*\//g, '/0123456789abcdef/');
    const context = recorded.context && Object.fromEntries(Object.entries(recorded.context).map(([k, v]) =>
      [k, Array.isArray(v) ? v.map((x) => sample(x, false)) : sample(v, false)]));
    calls.push({
      principal: modelBuild.role,
      action: recorded.action,
      resource: sample(recorded.resource, recorded.resource.includes(':sagemaker:')),
      context,
      source: `seed model-build: ${recorded.command ?? recorded.source} (recorded by tests/test_aws_calls.py)`,
    });
  }

  const deploySeed = kind === 'lambda' ? 'model-deploy' : 'model-deploy-endpoint';
  const testBuild = codeBuild('-modeldeploy-test');
  // The staging test's secondary input: the build output with the deployed model's transform.json.
  calls.push({ principal: testBuild.role, action: 's3:GetObject', resource: s3Object(env, bucket.ref, 'sagemaker-pipeline/Build/AbCdEf1'), source: 'CodeBuild staging test secondary input (Build artifact)' });
  found.push(...buildspecCalls(deploySeed));
  const facts = awsFacts(env);
  found.push(...(kind === 'lambda' ? typeScriptCalls(deploySeed) : pythonCalls(deploySeed, facts.operations)));
  const listAndDescribe = (prefix: string) => {
    seedCall(deploySeed, `${prefix} ListModelPackages`, deployBuild.role, 'sagemaker:ListModelPackages', '*');
    seedCall(deploySeed, `${prefix} DescribeModelPackage`, deployBuild.role, 'sagemaker:DescribeModelPackage', modelPackage);
  };

  // 7. The deploy templates each stage deploys, and what runs in them.
  const stageTemplates = deployTemplates(kind, project, byType, env, deployBuild.env);
  const deployRole = world.roleByArn(deployRoleArn(product)).name;
  for (const { stage, values } of stageTemplates) {
    for (const r of values.resources()) {
      calls.push(...await resourceHandlerCalls(deployRole, r, DEPLOY_EXCLUSIONS, env, `deploy ${stage} (${kind})`, undefined, values.resources()));
    }
    world.add(`deploy-${stage}`, values);
    for (const alarm of values.resources().filter((r) => r.type === 'AWS::CloudWatch::Alarm')) {
      for (const action of new Set([...asList<string>(alarm.properties.AlarmActions), ...asList<string>(alarm.properties.OKActions)])) {
        calls.push(...publishesTo(action, 'cloudwatch.amazonaws.com', alarm.arn, resources, env, `alarm ${alarm.ref} (${stage})`));
      }
    }
    if (kind === 'lambda') {
      const fn = values.resources().find((r) => r.type === 'AWS::Lambda::Function')!;
      const repository = byType('AWS::ECR::Repository')[0];
      // Creating or updating an image function: the caller needs to read the image (Lambda "Container images" permissions).
      for (const a of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:GetRepositoryPolicy']) {
        calls.push({ principal: deployRole, action: a, resource: repository.arn, source: `deploy ${stage}: image function create/update` });
      }
      // Lambda pulls the image with its service principal, on the repository policy.
      for (const a of ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer']) {
        calls.push({
          principal: 'lambda.amazonaws.com',
          action: a,
          resource: repository.arn,
          context: { 'aws:SourceAccount': env.account, 'aws:SourceArn': fn.arn },
          source: `Lambda pulls the image of ${fn.ref}`,
        });
      }
      calls.push(...lambdaRuns(fn, values.resources(), world, (what) => what));
      // CodeDeploy shifts the live alias with the project's role and reads the rollback alarms (AWSCodeDeployRoleForLambdaLimited's calls).
      const alias = values.resources().find((r) => r.type === 'AWS::Lambda::Alias')!;
      const group = values.resources().find((r) => r.type === 'AWS::CodeDeploy::DeploymentGroup')!;
      calls.push({ principal: 'codedeploy.amazonaws.com', action: 'sts:AssumeRole', resource: group.properties.ServiceRoleArn, source: `CodeDeploy deploys ${alias.ref}` });
      const codeDeployRole = world.roleByArn(group.properties.ServiceRoleArn).name;
      for (const a of ['lambda:GetAlias', 'lambda:UpdateAlias', 'lambda:GetProvisionedConcurrencyConfig']) {
        calls.push({ principal: codeDeployRole, action: a, resource: alias.arn, source: `CodeDeploy shifts ${alias.ref}` });
      }
      for (const { Name } of group.properties.AlarmConfiguration.Alarms as Array<{ Name: string }>) {
        calls.push({ principal: codeDeployRole, action: 'cloudwatch:DescribeAlarms', resource: arnIn(env, 'cloudwatch', `alarm:${Name}`), source: `CodeDeploy polls rollback alarm ${Name}` });
      }
      const api = values.resources().find((r) => r.type === 'AWS::ApiGatewayV2::Api')!;
      const route = values.resources().find((r) => r.type === 'AWS::ApiGatewayV2::Route')!;
      const [method, routePath] = String(route.properties.RouteKey).split(' ');
      const invokeArn = arnIn(env, 'execute-api', `${api.ref}/$default/${method}${routePath}`);
      calls.push({
        principal: 'apigateway.amazonaws.com',
        action: 'lambda:InvokeFunction',
        resource: alias.arn,
        context: { 'aws:SourceArn': invokeArn, 'aws:SourceAccount': env.account },
        source: `API Gateway invokes ${alias.ref}`,
      });
      if (stage.startsWith('staging')) seedCall(deploySeed, 'sigv4 execute-api', testBuild.role, 'execute-api:Invoke', invokeArn);
    } else {
      const model = values.resources().find((r) => r.type === 'AWS::SageMaker::Model')!;
      const endpoint = values.resources().find((r) => r.type === 'AWS::SageMaker::Endpoint')!;
      const modelRole = world.roleByArn(model.properties.ExecutionRoleArn).name;
      calls.push({ principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: model.properties.ExecutionRoleArn, source: `endpoint ${endpoint.ref}` });
      calls.push(...frameworkImagePull(modelRole, model.properties.PrimaryContainer.Image, env, `endpoint ${endpoint.ref}`));
      for (const url of [model.properties.PrimaryContainer.ModelDataUrl, model.properties.PrimaryContainer.Environment.SAGEMAKER_SUBMIT_DIRECTORY]) {
        calls.push({ principal: modelRole, action: 's3:GetObject', resource: `arn:${env.partition}:s3:::${String(url).replace(/^s3:\/\//, '')}`, source: `endpoint ${endpoint.ref} downloads its model` });
      }
      const group = `log-group:/aws/sagemaker/Endpoints/${endpoint.attributes.EndpointName}`;
      calls.push({ principal: modelRole, action: 'logs:CreateLogGroup', resource: arnIn(env, 'logs', group), source: `endpoint ${endpoint.ref} logs` });
      for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
        calls.push({ principal: modelRole, action: a, resource: arnIn(env, 'logs', `${group}:log-stream:AllTraffic/i-0a1b2c3d`), source: `endpoint ${endpoint.ref} logs` });
      }
      calls.push({ principal: modelRole, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/Endpoints' }, source: `endpoint ${endpoint.ref} metrics` });
      if (stage.startsWith('staging')) seedCall(deploySeed, 'sdk sagemaker-runtime InvokeEndpoint', testBuild.role, 'sagemaker:InvokeEndpoint', endpoint.arn);
      // scripts/check_endpoint_modes.py reads what each stage runs before the build exports anything.
      seedCall(deploySeed, 'sdk sagemaker DescribeEndpoint', deployBuild.role, 'sagemaker:DescribeEndpoint', endpoint.arn);
      const endpointConfig = values.resources().find((r) => r.type === 'AWS::SageMaker::EndpointConfig')!;
      seedCall(deploySeed, 'sdk sagemaker DescribeEndpointConfig', deployBuild.role, 'sagemaker:DescribeEndpointConfig', endpointConfig.arn);
      // ... and whether a real-time variant is registered for autoscaling (an instance type change would fail).
      seedCall(deploySeed, 'sdk application-autoscaling DescribeScalableTargets', deployBuild.role, 'application-autoscaling:DescribeScalableTargets', '*');
      // SageMaker "Auto-Rollback Configuration and Monitoring": the alarms of a blue/green deployment are read as the
      // execution role; the deploy role, which calls UpdateEndpoint with them, may read them too.
      for (const alarm of asList<any>(endpoint.properties.DeploymentConfig?.AutoRollbackConfiguration?.Alarms ?? [])) {
        const alarmArn = arnIn(env, 'cloudwatch', `alarm:${alarm.AlarmName}`);
        calls.push({ principal: modelRole, action: 'cloudwatch:DescribeAlarms', resource: alarmArn, source: `endpoint ${endpoint.ref} rollback alarms` });
        calls.push({ principal: deployRole, action: 'cloudwatch:DescribeAlarms', resource: alarmArn, source: `deploy ${stage}: UpdateEndpoint rollback alarms` });
      }
      // Application Auto Scaling checks that the caller registering a variant may describe and resize it
      // (SageMaker "Auto scaling prerequisites").
      if (values.resources().some((r) => r.type === 'AWS::ApplicationAutoScaling::ScalableTarget')) {
        for (const action of ['sagemaker:DescribeEndpoint', 'sagemaker:UpdateEndpointWeightsAndCapacities']) {
          calls.push({ principal: deployRole, action, resource: endpoint.arn, source: `deploy ${stage}: RegisterScalableTarget` });
        }
        calls.push({ principal: deployRole, action: 'sagemaker:DescribeEndpointConfig', resource: endpointConfig.arn, source: `deploy ${stage}: RegisterScalableTarget` });
      }
    }
  }

  if (kind === 'lambda') {
    const repository = byType('AWS::ECR::Repository')[0];
    listAndDescribe('sdk sagemaker');
    seedCall(deploySeed, 'aws-cli s3 cp', deployBuild.role, 's3:GetObject', modelData);
    seedCall(deploySeed, 'aws-cli ecr get-login-password', deployBuild.role, 'ecr:GetAuthorizationToken', '*');
    seedCall(deploySeed, 'aws-cli ecr describe-images', deployBuild.role, 'ecr:DescribeImages', repository.arn);
    // scripts/tag-image.sh: run by the build (staging tag) and by the step after DeployProd (prod tag).
    const promote = codeBuild('-modeldeploy-promote');
    for (const role of [deployBuild.role, promote.role]) {
      seedCall(deploySeed, 'aws-cli ecr batch-get-image', role, 'ecr:BatchGetImage', repository.arn);
      seedCall(deploySeed, 'aws-cli ecr put-image', role, 'ecr:PutImage', repository.arn);
    }
    // `docker push` (ECR "Pushing an image": the layer and manifest calls; BatchGetImage for an existing tag).
    for (const a of ['BatchCheckLayerAvailability', 'InitiateLayerUpload', 'UploadLayerPart', 'CompleteLayerUpload', 'PutImage', 'BatchGetImage']) {
      seedCall(deploySeed, 'docker push', deployBuild.role, `ecr:${a}`, repository.arn);
    }
  } else {
    listAndDescribe('sdk sagemaker');
    // scripts/fetch_model.py: the resolved model's archive, for its transform.json.
    seedCall(deploySeed, 'sdk s3 GetObject', deployBuild.role, 's3:GetObject', modelData);
    seedCall(deploySeed, 'sdk s3 PutObject', deployBuild.role, 's3:PutObject', s3Object(env, bucket.ref, 'inference-code/3/0a1b2c3d/sourcedir.tar.gz'));
  }

  // 8. The SageMaker Pipeline runs its steps as the execution role (SageMaker "Pipelines" IAM: the
  //    service creates the jobs and registers the model as the role; the jobs then run as it).
  const executionRoleArn = mbEnv.SAGEMAKER_PIPELINE_ROLE_ARN;
  const executionRole = world.roleByArn(executionRoleArn).name;
  calls.push({ principal: 'sagemaker.amazonaws.com', action: 'sts:AssumeRole', resource: executionRoleArn, source: 'SageMaker Pipelines' });
  const job = (kindName: string, step: string) => arnIn(env, 'sagemaker', `${kindName}/pipelines-0a1b2c3d4e5f-${step.toLowerCase()}-abcdef1234`);
  for (const [kindName, step, verbs] of [
    ['processing-job', 'PreprocessAbaloneData', ['Create', 'Describe', 'Stop']],
    ['processing-job', 'EvaluateAbaloneModel', ['Create', 'Describe', 'Stop']],
    ['training-job', 'TrainAbaloneModel', ['Create', 'Describe', 'Stop']],
  ] as const) {
    const noun = kindName === 'training-job' ? 'TrainingJob' : 'ProcessingJob';
    for (const verb of verbs) calls.push({ principal: executionRole, action: `sagemaker:${verb}${noun}`, resource: job(kindName, step), source: `SageMaker Pipelines step ${step}` });
    calls.push({ principal: executionRole, action: 'sagemaker:AddTags', resource: job(kindName, step), source: `SageMaker Pipelines step ${step}` });
    calls.push({ principal: executionRole, action: 'iam:PassRole', resource: executionRoleArn, context: { 'iam:PassedToService': 'sagemaker.amazonaws.com' }, source: `SageMaker Pipelines step ${step}` });
    const logGroup = `log-group:/aws/sagemaker/${noun}s`;
    for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents']) {
      calls.push({ principal: executionRole, action: a, resource: arnIn(env, 'logs', `${logGroup}:log-stream:pipelines-0a1b2c3d/algo-1`), source: `${step} job logs` });
    }
  }
  calls.push({ principal: executionRole, action: 'cloudwatch:PutMetricData', resource: '*', context: { 'cloudwatch:namespace': '/aws/sagemaker/TrainingJobs' }, source: 'training job metrics' });
  calls.push(...frameworkImagePull(executionRole, facts.images.sklearn, env, 'preprocess and evaluate jobs'));
  calls.push(...frameworkImagePull(executionRole, facts.images.xgboost, env, 'training job'));
  for (const a of ['s3:GetObject', 's3:PutObject']) {
    calls.push({ principal: executionRole, action: a, resource: s3Object(env, bucket.ref, 'abalone/pipelines-0a1b2c3d/train/train.csv'), source: 'pipeline jobs read inputs and write outputs' });
  }
  calls.push({ principal: executionRole, action: 's3:ListBucket', resource: bucket.arn, source: 'jobs list their S3 input prefixes' });
  calls.push({ principal: executionRole, action: 'sagemaker:CreateModelPackage', resource: modelPackage, source: 'RegisterModel step' });
  calls.push({ principal: executionRole, action: 'sagemaker:DescribeModelPackageGroup', resource: arnIn(env, 'sagemaker', `model-package-group/${groupName.toLowerCase()}`), source: 'RegisterModel step' });

  // 9. What must never be allowed: the pipeline deleting prod (a REPLACE_ON_FAILURE would), a project
  //    role leaving its boundary, the launch role creating a role without the boundary.
  const prodStack = stackArn(env, `sagemaker-${project.projectName}-${project.projectId}-deploy-prod`);
  const deployPipeline = byType('AWS::CodePipeline::Pipeline').find((p) => p.ref.endsWith('-modeldeploy'))!;
  const forbidden: Call[] = [
    { principal: world.roleByArn(deployPipeline.properties.RoleArn).name, action: 'cloudformation:DeleteStack', resource: prodStack, source: 'the pipeline deletes prod' },
    { principal: deployBuild.role, action: 'iam:DeleteRolePermissionsBoundary', resource: executionRoleArn, source: 'a project role removes the boundary' },
    {
      principal: launchRole.ref,
      action: 'iam:CreateRole',
      resource: executionRoleArn.replace(/[^/]+$/, `sagemaker-${project.projectId}-unbounded`),
      source: 'the launch role creates a role without the boundary',
    },
  ];

  if (connections) {
    const service = connectionService(gitSource.connectionArn);
    const checkinRole = codeBuild('-seed-checkin').role;
    const otherConnection = gitSource.connectionArn.replace(/[0-9a-f-]{36}$/, 'ffffffff-ffff-4fff-8fff-ffffffffffff');
    forbidden.push(
      {
        principal: world.roleByArn(deployPipeline.properties.RoleArn).name,
        action: `${service}:UseConnection`,
        resource: gitSource.connectionArn,
        context: connectionContext(service, 'my-org/payroll', 'main', 'read_only'),
        source: 'a pipeline reads another repository of the connection',
      },
      {
        principal: checkinRole,
        action: `${service}:UseConnection`,
        resource: gitSource.connectionArn,
        context: connectionContext(service, 'my-org/payroll', 'main', 'read_write'),
        source: 'the seed check-in pushes to another repository',
      },
      {
        principal: checkinRole,
        action: `${service}:UseConnection`,
        resource: otherConnection,
        context: connectionContext(service, SAMPLE_REPOSITORIES.ModelBuildRepository, 'main', 'read_write'),
        source: 'the seed check-in uses another connection',
      },
    );
  }

  return { label, world, calls, forbidden, foundSeedCalls: found, mappedSeedCalls: mapped };
}

/**
 * The condition keys of a UseConnection request for one repository (Service Authorization Reference, AWS CodeConnections:
 * FullRepositoryId, BranchName and ProviderPermissionsRequired, under the prefix of the connection's ARN).
 */
function connectionContext(service: string, repositoryId: string, branch: string, permissions: 'read_only' | 'read_write'): Record<string, string> {
  return {
    [`${service}:FullRepositoryId`]: repositoryId,
    [`${service}:OwnerId`]: repositoryId.split('/')[0],
    [`${service}:RepositoryName`]: repositoryId.split('/')[1],
    [`${service}:BranchName`]: branch,
    [`${service}:ProviderPermissionsRequired`]: permissions,
  };
}

/**
 * Lambda running a function: it assumes the function's role, which writes the function's logs to its log group
 * /aws/lambda/<function>. `source` names each call's origin.
 */
function lambdaRuns(fn: PhysicalResource, resources: PhysicalResource[], world: IamWorld, source: (what: string) => string): Call[] {
  const logGroup = resources.find((r) => r.type === 'AWS::Logs::LogGroup' && r.ref === `/aws/lambda/${fn.ref}`);
  if (!logGroup) throw new Error(`${fn.ref} has no log group /aws/lambda/${fn.ref}`);
  const role = world.roleByArn(fn.properties.Role).name;
  return [
    { principal: 'lambda.amazonaws.com', action: 'sts:AssumeRole', resource: fn.properties.Role, source: source(`Lambda runs ${fn.ref}`) },
    ...['logs:CreateLogStream', 'logs:PutLogEvents'].map((action) => ({
      principal: role, action, resource: `${logGroup.arn}:log-stream:2026/12/01/[$LATEST]0a1b2c3d`, source: source(`${fn.ref} writes its logs`),
    })),
  ];
}

/**
 * The seed check-in at launch (pipelines/seed-checkin.ts): Lambda runs the trigger function, which starts the check-in
 * build and polls it; the build reads its scripts (its S3 source) and each seed archive (`aws s3 cp`), then reads and,
 * for an empty repository, pushes through the connection's Git endpoint (buildspec.yml, checkin.sh).
 */
function seedCheckinCalls(resources: PhysicalResource[], world: IamWorld, checkin: CodeBuildProject, env: Environment,
  connectionArn: string): Call[] {
  const calls: Call[] = [];
  const fn = resources.find((r) => r.type === 'AWS::Lambda::Function' && r.ref.endsWith('-seed-trigger'));
  if (!fn) throw new Error('no seed trigger function *-seed-trigger');
  const { project: build, role: buildRole } = checkin;
  const triggerRole = world.roleByArn(fn.properties.Role).name;
  const src = (what: string) => `seed check-in: ${what}`;
  calls.push(...lambdaRuns(fn, resources, world, src));
  for (const a of ['codebuild:StartBuild', 'codebuild:BatchGetBuilds', 'codebuild:StopBuild']) {
    calls.push({ principal: triggerRole, action: a, resource: build.arn, source: src('trigger/index.py') });
  }
  calls.push({ principal: buildRole, action: 's3:GetObject', resource: `arn:${env.partition}:s3:::${build.properties.Source.Location}`, source: src('CodeBuild downloads its S3 source') });
  const service = connectionService(connectionArn);
  const branch = checkin.env.BRANCH;
  for (const seed of resources.filter((r) => r.type === 'Custom::SeedCheckin')) {
    const uri = String(seed.properties.SeedS3Uri).replace(/^s3:\/\//, '');
    calls.push({ principal: buildRole, action: 's3:GetObject', resource: `arn:${env.partition}:s3:::${uri}`, source: src('aws s3 cp "$SEED_S3_URI"') });
    // git ls-remote reads; git push writes (the provider action needs read_write).
    for (const permissions of ['read_only', 'read_write'] as const) {
      calls.push({
        principal: buildRole,
        action: `${service}:UseConnection`,
        resource: connectionArn,
        context: connectionContext(service, seed.properties.RepositoryId, branch, permissions),
        source: src(`git ${permissions === 'read_only' ? 'ls-remote' : 'push'} ${seed.properties.RepositoryId}`),
      });
    }
  }
  return calls;
}

/**
 * The Lambda seed's own export step (scripts/export-configs.ts, what `npm run export-configs` runs
 * in the build): the template configuration CodePipeline deploys each stage with. A ts-node run takes
 * seconds, and the flows of each Git source export at the same inputs: one run per distinct input.
 */
const cachedLambdaSeedConfigurations = new Map<string, Record<string, Record<string, string>>>();

function exportLambdaSeedConfigurations(buildEnv: Record<string, string>, model: object): Record<string, Record<string, string>> {
  const key = JSON.stringify([buildEnv, model]);
  let configurations = cachedLambdaSeedConfigurations.get(key);
  if (!configurations) {
    configurations = runLambdaSeedExport(buildEnv, model);
    cachedLambdaSeedConfigurations.set(key, configurations);
  }
  return configurations;
}

function runLambdaSeedExport(buildEnv: Record<string, string>, model: object): Record<string, Record<string, string>> {
  const seed = path.join(SEEDS_DIR, 'model-deploy');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-export-'));
  try {
    fs.writeFileSync(path.join(out, 'model.json'), JSON.stringify(model));
    const script = `
      import * as path from 'path';
      import { exportConfigs } from './scripts/export-configs';
      import { defaultConfigDir } from './lib/stage-config';
      const out = process.env.EXPORT_OUT_DIR as string;
      exportConfigs([], process.env, { outDir: out, configDir: defaultConfigDir(), modelFile: path.join(out, 'model.json'), cdkOutDir: path.join(out, 'cdk.out') })
        .catch((err) => { console.error('export-configs: ' + err.message); process.exit(1); });`;
    execFileSync(path.join(seed, 'node_modules', '.bin', 'ts-node'), ['--transpileOnly', '-e', script],
      { cwd: seed, env: { ...process.env, ...buildEnv, EXPORT_OUT_DIR: out, CDK_OUTDIR: '' }, stdio: ['ignore', 'ignore', 'inherit'] });
    return Object.fromEntries(STAGES.map((stage) =>
      [stage, JSON.parse(fs.readFileSync(path.join(out, `${stage}-config-export.json`), 'utf8')).Parameters]));
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The endpoint seed's stage parameters (sizing, alarms, deployment, autoscaling) for each stage config in each
 * endpoint mode, as its own scripts/stage_config.py computes them: the real-time evaluation then has the
 * autoscaling and canary the shipped configs ask for.
 */
type EndpointStageParameters = Record<string, Record<'Serverless' | 'RealTime', Record<string, string>>>;
let cachedStageParameters: EndpointStageParameters | undefined;

function endpointStageParameters(): EndpointStageParameters {
  if (cachedStageParameters) return cachedStageParameters;
  const script = `
import json, sys
sys.path.insert(0, "scripts")
import stage_config
out = {}
for stage in stage_config.STAGES:
    doc = json.load(open(f"config/{stage}.json"))
    out[stage] = {mode: stage_config.parse_stage_config({**doc, "endpointMode": mode}, stage).template_parameters()
                  for mode in stage_config.ENDPOINT_MODES}
print(json.dumps(out))`;
  cachedStageParameters = JSON.parse(execFileSync(PYTHON, ['-c', script], { cwd: path.join(SEEDS_DIR, 'model-deploy-endpoint'), encoding: 'utf8' }));
  return cachedStageParameters!;
}

/** The CloudFormation deploy role: the RoleArn of the pipeline's CloudFormation actions. */
function deployRoleArn(product: TemplateValues): string {
  const pipelines = product.resources().filter((r) => r.type === 'AWS::CodePipeline::Pipeline');
  const arns = new Set(pipelines.flatMap((p) => (p.properties.Stages as any[]).flatMap((s) => s.Actions))
    .filter((a) => a.ActionTypeId.Provider === 'CloudFormation').map((a) => a.Configuration.RoleArn));
  if (arns.size !== 1) throw new Error(`expected one CloudFormation deploy role, found ${[...arns].join(', ')}`);
  return [...arns][0];
}

/** Pulling an AWS-owned framework image: the registry token, then the image (ECR "Private registry authentication"). */
function frameworkImagePull(principal: string, imageUri: string, env: Environment, source: string): Call[] {
  const m = imageUri.match(/^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/);
  if (!m) throw new Error(`not an ECR image URI: ${imageUri}`);
  const repo = `arn:${env.partition}:ecr:${m[2]}:${m[1]}:repository/${m[3]}`;
  return [
    { principal, action: 'ecr:GetAuthorizationToken', resource: '*', source },
    ...['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchCheckLayerAvailability'].map((action) => ({ principal, action, resource: repo, source })),
  ];
}

/** The seed's deploy template evaluated for each stage (and, for endpoints, each endpoint mode). */
/**
 * A service publishing to a project topic: sns:Publish on the topic policy, and the topic key's
 * kms:GenerateDataKey and kms:Decrypt on the key policy (Amazon SNS developer guide, "Configure AWS
 * KMS permissions for AWS services"), each with the source the service sends.
 */
function publishesTo(topicArn: string, service: string, sourceArn: string, productResources: PhysicalResource[], env: Environment,
  source: string): Call[] {
  const topic = productResources.find((r) => r.type === 'AWS::SNS::Topic' && r.arn === topicArn);
  if (!topic) throw new Error(`${source} publishes to ${topicArn}, which is not the project's topic`);
  const context = { 'aws:SourceAccount': env.account, 'aws:SourceArn': sourceArn };
  return [
    { principal: service, action: 'sns:Publish', resource: topicArn, context, source },
    ...['kms:GenerateDataKey', 'kms:Decrypt'].map((action) => ({ principal: service, action, resource: topic.properties.KmsMasterKeyId, context, source })),
  ];
}

function deployTemplates(kind: ProductKind, project: ProjectIdentity, byType: (type: string) => PhysicalResource[], env: Environment,
  buildEnv: Record<string, string>): Array<{ stage: string; values: TemplateValues }> {
  const bucket = byType('AWS::S3::Bucket')[0].ref;
  const groupName = byType('AWS::SageMaker::ModelPackageGroup')[0].properties.ModelPackageGroupName as string;
  const packageArn = arnIn(env, 'sagemaker', `model-package/${groupName.toLowerCase()}/3`);
  const roleArn = (suffix: string) => byType('AWS::IAM::Role').find((r) => r.ref.endsWith(suffix))!.attributes.Arn;
  if (kind === 'lambda') {
    if (!fs.existsSync(LAMBDA_SEED_TEMPLATE)) throw new Error(`${LAMBDA_SEED_TEMPLATE} is missing: run \`npx projen seed:model-deploy:synth\``);
    const template = JSON.parse(fs.readFileSync(LAMBDA_SEED_TEMPLATE, 'utf8'));
    const configurations = exportLambdaSeedConfigurations({
      SAGEMAKER_PROJECT_NAME: project.projectName,
      SAGEMAKER_PROJECT_ID: project.projectId,
      ECR_REPOSITORY_NAME: byType('AWS::ECR::Repository')[0].ref,
      IMAGE_TAG: 'v3-0123abcd',
      LAMBDA_EXECUTION_ROLE_ARN: roleArn('-inference-lambda'),
      NOTIFICATION_TOPIC_ARN: buildEnv.NOTIFICATION_TOPIC_ARN,
      CODEDEPLOY_ROLE_ARN: roleArn('-inference-codedeploy'),
    }, { packageGroupName: groupName, packageArn, version: 3, modelDataUrl: `s3://${bucket}/models/model.tar.gz`, creationTime: '2026-01-01T00:00:00.000Z' });
    return STAGES.map((stage) => ({
      stage,
      values: new TemplateValues(template, configurations[stage], env, `sagemaker-${project.projectName}-${project.projectId}-deploy-${stage}`),
    }));
  }
  const template = awsFacts(env).templates[ENDPOINT_SEED_TEMPLATE];
  const sizing = endpointStageParameters();
  return STAGES.flatMap((stage) => (['Serverless', 'RealTime'] as const).map((mode) => ({
    stage: `${stage}/${mode}`,
    values: new TemplateValues(template, {
      ...sizing[stage][mode],
      ProjectId: project.projectId,
      Stage: stage,
      ModelExecutionRoleArn: roleArn('-endpoint-model'),
      ImageUri: awsFacts(env).images.xgboost,
      ModelDataUrl: `s3://${bucket}/abalone/models/pipelines-abc123-TrainAbaloneModel-xyz/output/model.tar.gz`,
      SourceDirUrl: `s3://${bucket}/inference-code/3/0a1b2c3d/sourcedir.tar.gz`,
      ModelPackageArn: packageArn,
      ModelVersion: '3',
      DeploymentRevision: '0a1b2c3d',
      EndpointMode: mode,
      // What the build passes on: every alarm's actions point to the project's topic (no deploy-role permission needed).
      NotificationTopicArn: buildEnv.NOTIFICATION_TOPIC_ARN,
    }, env, `sagemaker-${project.projectName}-${project.projectId}-deploy-${stage}`),
  })));
}
