import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parse as parseYaml } from 'yaml';
import { Call, decideOn } from './authorization/policy-engine';
import { TemplateValues } from './authorization/template-values';
import { synthesizeApp } from './synthesize';
import {
  CfnTemplate, portfolioTemplate, readJson, readTemplate, resourcesOfType, SYNTH_DIR, TEST_ENV,
} from './synthesized-app';
import { PORTFOLIO_STACK_BASE_NAME } from '../product/portfolio-names';
import { S3_TEMPLATE_NAMES } from '../product/portfolio-stack';
import { ModelDeployment } from '../product/project-stack';
import { NOT_STAGED } from '../product/s3-template-publication';

/**
 * The S3 templates target against the contract of AWS's sample and documentation:
 * - aws-samples/sagemaker-custom-project-templates, s3_templates/README.md (steps 2, 4, 5 and Troubleshooting):
 *   each template object carries sagemaker:studio-visibility=true, the bucket has the CORS rule of
 *   s3_templates/cors-policy.json, the execution role needs s3:GetObjectTagging, the domain tag is
 *   sagemaker:projectS3TemplatesLocation=s3://<bucket>/<prefix>;
 * - s3_templates/sample-templates/iam/sagemaker-projects-roles-and-policies.yaml: the launch role is trusted by the
 *   execution role and cloudformation.amazonaws.com; iam/cfn-stack-sm-projects.json: project stacks are SP-*;
 * - SageMaker API reference, CfnCreateTemplateProvider: RoleARN is the role CloudFormation assumes.
 * The app is synthesized here with test/fixtures/portfolio-s3-templates.yaml (both targets) and an S3-only variant.
 */
const ROOT = path.join(__dirname, '..');
const FIXTURE = path.join(__dirname, 'fixtures', 'portfolio-s3-templates.yaml');
const OUT_DIR = path.join(ROOT, 'test-reports', 's3-templates');
const BOTH_DIR = path.join(OUT_DIR, 'both', 'cdk.out');
const S3_ONLY_DIR = path.join(OUT_DIR, 's3-only', 'cdk.out');
const BUCKET = 'sagemaker-sc-assets-test-fixture';
const PREFIX = 'studio/templates/';
const { account, region } = TEST_ENV;
const ENV = { account, region, partition: 'aws' };
const EXECUTION_ROLE = `arn:aws:iam::${account}:role/service-role/AmazonSageMaker-ExecutionRole-20240101T000000`;
const PATTERN_ROLE = `arn:aws:iam::${account}:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_DataScientist_0123456789abcdef`;
const OTHER_ROLE = `arn:aws:iam::${account}:role/SomeOtherRole`;
const LAUNCH_ROLE = `arn:aws:iam::${account}:role/sagemaker-si-main-${region}-launch`;
const PYTHON = path.join(ROOT, '.venv', 'bin', 'python');
const CFN_LINT = path.join(ROOT, '.venv', 'bin', 'cfn-lint');

/** s3_templates/cors-policy.json, as CloudFormation spells it (ExposedHeaders for the API's ExposeHeaders). */
const SAMPLE_CORS_RULE = {
  AllowedHeaders: ['*'],
  AllowedMethods: ['POST', 'PUT', 'GET', 'HEAD', 'DELETE'],
  AllowedOrigins: ['https://*.sagemaker.aws'],
  ExposedHeaders: ['ETag', 'x-amz-delete-marker', 'x-amz-id-2', 'x-amz-request-id', 'x-amz-server-side-encryption', 'x-amz-version-id'],
};

/** The app synthesized from `configFile` into `outdir`, its product stack snapshots next to it. */
const synthesize = (configFile: string, outdir: string) => synthesizeApp(configFile, outdir, path.join(outdir, '..', 'product-stack-snapshots'));
const s3TemplateFiles = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.s3.template.yaml')).sort();

/** The custom resources that put each template object, with their CopyObject call parsed. */
function templateObjects(template: CfnTemplate) {
  return resourcesOfType(template, 'Custom::S3TemplateObject').map(([id, r]) => ({
    id, create: JSON.parse(r.Properties.Create), update: JSON.parse(r.Properties.Update), remove: JSON.parse(r.Properties.Delete),
  }));
}

/**
 * The authorization tests' policy engine (test/authorization/policy-engine.ts) on a request by a role ARN with the given
 * identity policies, or by a service principal, against the target's resource policy.
 */
async function decide(request: Omit<Call, 'source'>, identity: any[], resourcePolicy?: any): Promise<string> {
  const role = request.principal.startsWith('arn:')
    ? { arn: request.principal, identity: identity.map((policy, index) => ({ name: `identity${index}`, policy })) }
    : undefined;
  if (!role && identity.length) throw new Error(`${request.principal} is a service principal: it has no identity policies`);
  const decision = await decideOn({ ...request, source: 'S3 templates test' },
    { role, resourcePolicy: resourcePolicy && { name: 'resource', policy: resourcePolicy } }, account);
  if (decision.error) throw new Error(decision.error);
  return decision.result;
}

describe('S3 templates (publishing.targets s3Templates)', () => {
  let portfolio: CfnTemplate;
  let values: TemplateValues;
  const resolved = (type: string) => resourcesOfType(portfolio, type).map(([id]) => values.resource(id));

  beforeAll(() => {
    synthesize(FIXTURE, BOTH_DIR);
    const s3Only = fs.readFileSync(FIXTURE, 'utf8').replace('targets: [serviceCatalog, s3Templates]', 'targets: [s3Templates]');
    fs.mkdirSync(path.dirname(S3_ONLY_DIR), { recursive: true });
    const s3OnlyFile = path.join(path.dirname(S3_ONLY_DIR), 'portfolio.yaml');
    fs.writeFileSync(s3OnlyFile, s3Only);
    synthesize(s3OnlyFile, S3_ONLY_DIR);
    portfolio = portfolioTemplate(BOTH_DIR);
    values = new TemplateValues(portfolio, {}, ENV, PORTFOLIO_STACK_BASE_NAME);
  }, 300_000);

  test('synth writes each product as a YAML template that reads back as exactly that product stack\'s template', () => {
    const files = s3TemplateFiles(BOTH_DIR);
    expect(files).toHaveLength(2);
    for (const file of files) {
      const text = fs.readFileSync(path.join(BOTH_DIR, file), 'utf8');
      const product = readTemplate(file.replace(/\.s3\.template\.yaml$/, '.product.template.json'), BOTH_DIR);
      expect(text.trimStart().startsWith('{')).toBe(false);
      expect(parseYaml(text, { version: '1.1' })).toEqual(product);
      // PyYAML, the YAML 1.1 reader cfn-lint uses, reads the same document.
      const pyyaml = spawnSync(PYTHON, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', path.join(BOTH_DIR, file)],
        { encoding: 'utf8' });
      expect(pyyaml.stderr).toBe('');
      expect(JSON.parse(pyyaml.stdout)).toEqual(product);
    }
  });

  test('the S3 templates pass cfn-lint, like the other synthesized templates', () => {
    const files = s3TemplateFiles(BOTH_DIR).map((f) => path.join(BOTH_DIR, f));
    const lint = spawnSync(CFN_LINT, ['--config-file', path.join(ROOT, '.cfnlintrc.yaml'), '--', ...files], { encoding: 'utf8' });
    expect({ status: lint.status, output: lint.stdout + lint.stderr }).toEqual({ status: 0, output: '' });
  });

  test('synth passes cdk-nag and the Control Tower guard with every new finding acknowledged', () => {
    const report = readJson('validation-report.json', BOTH_DIR);
    for (const plugin of report.pluginReports) {
      expect({ plugin: plugin.pluginName, violations: plugin.violations }).toEqual({ plugin: plugin.pluginName, violations: [] });
    }
    const acknowledged = report.pluginReports.flatMap((p: any) => (p.suppressedViolations ?? [])
      .flatMap((v: any) => v.violatingConstructs.map((c: any) => `${v.ruleName} ${c.constructPath}`)));
    expect(acknowledged.some((finding: string) => finding.includes('/S3Templates/UserPolicy'))).toBe(true);
  });

  test('the templates reference no asset but the seed archives the stack copies into the same bucket', () => {
    const deployment = resourcesOfType(portfolio, 'Custom::CDKBucketDeployment');
    expect(deployment).toHaveLength(1);
    const { DestinationBucketName, DestinationBucketKeyPrefix, SourceObjectKeys } = deployment[0][1].Properties;
    const copied = { ...values.resolve({ DestinationBucketName }), DestinationBucketKeyPrefix, SourceObjectKeys };
    expect(copied.DestinationBucketName).toBe(BUCKET);
    expect(copied.DestinationBucketKeyPrefix).toBeUndefined();
    for (const file of s3TemplateFiles(BOTH_DIR)) {
      const text = fs.readFileSync(path.join(BOTH_DIR, file), 'utf8');
      const locations = [...text.matchAll(/Bucket: (\S+)\n\s+Key: (\S+)/g)].map(([, bucket, key]) => ({ bucket, key }));
      expect(locations.length).toBeGreaterThan(0);
      for (const { bucket, key } of locations) {
        expect({ bucket, copied: copied.SourceObjectKeys.includes(key) }).toEqual({ bucket: BUCKET, copied: true });
      }
      // Nothing else that looks like a staged asset (a content hash) or the bootstrap bucket.
      expect(text.replace(/Key: [0-9a-f]{64}\.zip/g, '')).not.toMatch(/[0-9a-f]{64}|cdk-hnb659fds/);
    }
  });

  test('each template object is the staged YAML, copied under the key prefix with the tag sagemaker:studio-visibility=true', () => {
    const assets = readJson(`${PORTFOLIO_STACK_BASE_NAME}.assets.json`, BOTH_DIR).files;
    const stagedYaml = Object.entries<any>(assets).filter(([, a]) => a.source.path.endsWith('.s3.template.yaml'));
    const objects = templateObjects(portfolio);
    expect(objects.map(({ create }) => create.parameters.Key).sort()).toEqual([
      `${PREFIX}${S3_TEMPLATE_NAMES[ModelDeployment.SAGEMAKER_ENDPOINT]}.yaml`,
      `${PREFIX}${S3_TEMPLATE_NAMES[ModelDeployment.LAMBDA_SERVICE]}.yaml`,
    ]);
    for (const { create, update, remove } of objects) {
      const p = create.parameters;
      expect(update).toEqual(create);
      expect(create.action).toBe('CopyObject');
      expect(Object.fromEntries(new URLSearchParams(p.Tagging))).toEqual({ 'sagemaker:studio-visibility': 'true' });
      expect(p).toMatchObject({ Bucket: BUCKET, TaggingDirective: 'REPLACE' });
      const [stagingBucket, ...key] = p.CopySource.split('/');
      const asset = stagedYaml.find(([hash]) => key.join('/') === `${hash}.yaml`);
      expect(asset).toBeDefined();
      expect(stagingBucket).toBe(`cdk-hnb659fds-assets-${account}-${region}`);
      expect(remove).toMatchObject({ action: 'DeleteObject', parameters: { Bucket: BUCKET, Key: p.Key } });
    }
    expect(JSON.stringify(portfolio)).not.toContain(NOT_STAGED);
  });

  test('the bucket carries the CORS rule AWS\'s sample gives Studio', () => {
    const [bucket] = resolved('AWS::S3::Bucket');
    expect(bucket.properties.CorsConfiguration).toEqual({ CorsRules: [SAMPLE_CORS_RULE] });
  });

  test('the bucket policy lets each configured execution role list the bucket and read the templates with their tags, nothing more', async () => {
    const [policy] = resolved('AWS::S3::BucketPolicy');
    const bucketPolicy = policy.properties.PolicyDocument;
    const template = `arn:aws:s3:::${BUCKET}/${PREFIX}${S3_TEMPLATE_NAMES[ModelDeployment.LAMBDA_SERVICE]}.yaml`;
    // No identity policy at all: the bucket policy alone grants (same account, role ARN principal).
    for (const action of ['s3:GetObjectTagging', 's3:GetObject']) {
      expect(await decide({ principal: EXECUTION_ROLE, action, resource: template }, [], bucketPolicy)).toBe('Allowed');
      expect(await decide({ principal: OTHER_ROLE, action, resource: template }, [], bucketPolicy)).not.toBe('Allowed');
    }
    expect(await decide({ principal: EXECUTION_ROLE, action: 's3:ListBucket', resource: `arn:aws:s3:::${BUCKET}` }, [], bucketPolicy)).toBe('Allowed');
    const seedArchive = `arn:aws:s3:::${BUCKET}/${'0'.repeat(64)}.zip`;
    expect(await decide({ principal: EXECUTION_ROLE, action: 's3:GetObject', resource: seedArchive }, [], bucketPolicy)).not.toBe('Allowed');
    expect(await decide({ principal: EXECUTION_ROLE, action: 's3:PutObject', resource: template }, [], bucketPolicy)).not.toBe('Allowed');
    // TLS only, like every bucket of the project.
    expect(await decide({ principal: EXECUTION_ROLE, action: 's3:GetObject', resource: template, context: { 'aws:SecureTransport': 'false' } },
      [], bucketPolicy)).not.toBe('Allowed');
  });

  test('the launch role is trusted by CloudFormation, Service Catalog and the configured execution roles, and nobody else', async () => {
    const [launch] = resolved('AWS::IAM::Role').filter((r) => r.properties.RoleName === `sagemaker-si-main-${region}-launch`);
    const trust = launch.properties.AssumeRolePolicyDocument;
    const assume = (principal: string, identity: any[] = []) => decide({ principal, action: 'sts:AssumeRole', resource: LAUNCH_ROLE }, identity, trust);
    expect(await assume('cloudformation.amazonaws.com')).toBe('Allowed');
    expect(await assume('servicecatalog.amazonaws.com')).toBe('Allowed');
    expect(await assume(EXECUTION_ROLE)).toBe('Allowed');
    expect(await assume('lambda.amazonaws.com')).not.toBe('Allowed');
    const userPolicy = values.resource(resourcesOfType(portfolio, 'AWS::IAM::ManagedPolicy')
      .find(([id]) => id.startsWith('S3TemplatesUserPolicy'))![0]).properties.PolicyDocument;
    // A role matched by access.rolePatterns, once the user policy is attached to it; a role matching no pattern never.
    expect(await assume(PATTERN_ROLE, [userPolicy])).toBe('Allowed');
    expect(await assume(PATTERN_ROLE)).not.toBe('Allowed');
    expect(await assume(OTHER_ROLE, [userPolicy])).not.toBe('Allowed');
  });

  test('the launch role manages the SP-* project stacks and reads the templates, next to Service Catalog\'s SC-* stacks', async () => {
    const launchPolicy = resolved('AWS::IAM::Policy').find((p) => p.logicalId.startsWith('LaunchRoleDefaultPolicy'))!.properties.PolicyDocument;
    const stack = (name: string) => `arn:aws:cloudformation:${region}:${account}:stack/${name}/0f1e2d3c-0000-4000-8000-000000000000`;
    const call = (action: string, resource: string) => decide({ principal: LAUNCH_ROLE, action, resource }, [launchPolicy]);
    expect(await call('cloudformation:CreateStack', stack('SP-p-abcdefghijkl'))).toBe('Allowed');
    expect(await call('cloudformation:CreateStack', stack('SC-111122223333-pp-abcdefghijklm'))).toBe('Allowed');
    expect(await call('cloudformation:CreateStack', stack('SomeOtherStack'))).not.toBe('Allowed');
    expect(await call('s3:GetObject', `arn:aws:s3:::${BUCKET}/${PREFIX}sagemaker-endpoint.yaml`)).toBe('Allowed');
  });

  test('the user policy, attached to each listed execution role, allows every step of a launch from an S3 template', async () => {
    const [id, declared] = resourcesOfType(portfolio, 'AWS::IAM::ManagedPolicy').find(([logicalId]) => logicalId.startsWith('S3TemplatesUserPolicy'))!;
    expect(declared.Properties.Roles).toEqual(['AmazonSageMaker-ExecutionRole-20240101T000000', 'DataScienceTeamRole']);
    const userPolicy = values.resource(id).properties.PolicyDocument;
    const call = (action: string, resource: string, context?: Record<string, string>) =>
      decide({ principal: PATTERN_ROLE, action, resource, context }, [userPolicy]);
    const template = `arn:aws:s3:::${BUCKET}/${PREFIX}serverless-inference-lambda.yaml`;
    const projectStack = `arn:aws:cloudformation:${region}:${account}:stack/SP-p-abcdefghijkl/0f1e2d3c-0000-4000-8000-000000000000`;
    expect(await call('s3:ListBucket', `arn:aws:s3:::${BUCKET}`)).toBe('Allowed');
    expect(await call('s3:GetObjectTagging', template)).toBe('Allowed');
    expect(await call('s3:GetObject', template)).toBe('Allowed');
    expect(await call('cloudformation:GetTemplateSummary', '*')).toBe('Allowed');
    expect(await call('iam:PassRole', LAUNCH_ROLE, { 'iam:PassedToService': 'cloudformation.amazonaws.com' })).toBe('Allowed');
    expect(await call('iam:PassRole', LAUNCH_ROLE, { 'iam:PassedToService': 'lambda.amazonaws.com' })).not.toBe('Allowed');
    expect(await call('cloudformation:CreateStack', projectStack)).toBe('Allowed');
    expect(await call('cloudformation:CreateStack', projectStack.replace('SP-', 'XX-'))).not.toBe('Allowed');
  });

  test('the outputs the README names give the domain tag command, the location, the launch role, the user policy and each TemplateURL', () => {
    const outputs = Object.fromEntries(Object.entries<any>(portfolio.Outputs ?? {}).map(([name, o]) => [name, values.resolve(o.Value)]));
    const location = `s3://${BUCKET}/${PREFIX}`;
    expect(outputs).toMatchObject({
      S3TemplatesLocation: location,
      S3TemplatesDomainTagCommand: `aws sagemaker add-tags --resource-arn arn:aws:sagemaker:${region}:${account}:domain/<domain-id> `
        + `--tags Key=sagemaker:projectS3TemplatesLocation,Value=${location}`,
      S3TemplatesLaunchRoleArn: LAUNCH_ROLE,
      S3TemplatesUserPolicyArn: `arn:aws:iam::${account}:policy/sagemaker-si-main-${region}-s3-templates-user`,
      S3TemplateUrlServerlessInferenceLambda: `https://${BUCKET}.s3.${region}.amazonaws.com/${PREFIX}serverless-inference-lambda.yaml`,
      S3TemplateUrlSagemakerEndpoint: `https://${BUCKET}.s3.${region}.amazonaws.com/${PREFIX}sagemaker-endpoint.yaml`,
    });
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const named = ['S3TemplatesDomainTagCommand', 'S3TemplatesLaunchRoleArn', 'S3TemplatesUserPolicyArn', 'S3TemplateUrlServerlessInferenceLambda'];
    expect(named.filter((name) => !readme.includes(`output ${name}`) && !readme.includes(`\`${name}\``))).toEqual([]);
  });

  test('with s3Templates alone there is no Service Catalog portfolio or product, and Service Catalog cannot assume the launch role', () => {
    const s3Only = portfolioTemplate(S3_ONLY_DIR);
    const types = new Set(Object.values(s3Only.Resources).map((r) => r.Type));
    expect([...types].filter((t) => t.startsWith('AWS::ServiceCatalog::'))).toEqual([]);
    expect(templateObjects(s3Only)).toHaveLength(2);
    const launch = resourcesOfType(s3Only, 'AWS::IAM::Role').find(([, r]) => r.Properties.RoleName === `sagemaker-si-main-${region}-launch`)!;
    const services = launch[1].Properties.AssumeRolePolicyDocument.Statement.flatMap((s: any) => [s.Principal.Service ?? []].flat());
    expect(services).toEqual(['cloudformation.amazonaws.com']);
    expect(JSON.stringify(launch)).not.toContain('stack/SC-');
  });

  test('Service Catalog stays the default: a configuration without publishing synthesizes no S3 template', () => {
    // The shared test app (test/global-setup.ts) uses test/fixtures/portfolio.yaml, which sets no publishing key.
    expect(fs.readdirSync(SYNTH_DIR).filter((f) => f.endsWith('.yaml'))).toEqual([]);
    const main = portfolioTemplate();
    expect(Object.values(main.Resources).filter((r) => r.Type === 'Custom::S3TemplateObject')).toEqual([]);
    expect(JSON.stringify(main)).not.toMatch(/sagemaker\.aws|stack\/SP-/);
    const launch = Object.values(main.Resources).find((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === `sagemaker-si-main-${region}-launch`)!;
    expect(launch.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'servicecatalog.amazonaws.com' } },
    ]);
  });
});
