import { execFileSync } from 'child_process';
import * as path from 'path';
import { Match, Template } from 'aws-cdk-lib/assertions';
import {
  CONNECTIONS_CONFIG_FILE, CONNECTIONS_SYNTH_DIR, PRODUCT_KINDS, portfolioTemplate, productTemplate, productTemplateFile,
  portfolioTemplateFile, resourcesOfType, roleStatements,
} from './synthesized-app';
import { SEED_CHECKIN_RESOURCE_TYPE } from '../pipelines/seed-checkin';
import { loadPortfolioConfig } from '../product/portfolio-config';
import {
  CONNECTION_ARN_PARAMETER, CONNECTION_ARN_PATTERN, GIT_BRANCH_PARAMETER, GIT_BRANCH_PATTERN, MODEL_BUILD_REPOSITORY_PARAMETER,
  MODEL_DEPLOY_REPOSITORY_PARAMETER, REPOSITORY_ID_PATTERN,
} from '../product/sagemaker-project';

/**
 * The products synthesized from test/fixtures/portfolio-codeconnections.yaml (both products' repositories behind a
 * connection): the pipelines read the connection and start on pushes, the launch seeds empty repositories, and every
 * grant on a connection names the launch's connection only.
 */
const config = loadPortfolioConfig(CONNECTIONS_CONFIG_FILE);
const SOURCE = { lambda: config.product.source, endpoint: config.endpointProduct!.source };
const isConnectionAction = (action: string) => /^(codeconnections|codestar-connections):/.test(action);
const asList = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);

describe.each(PRODUCT_KINDS)('a product whose repositories are behind a CodeConnections connection (%s)', (kind) => {
  const json = productTemplate(kind, CONNECTIONS_SYNTH_DIR);
  const template = Template.fromJSON(json);
  const pipelines = resourcesOfType(json, 'AWS::CodePipeline::Pipeline');
  const repositoryOf: Record<string, string> = { ModelBuild: MODEL_BUILD_REPOSITORY_PARAMETER, ModelDeploy: MODEL_DEPLOY_REPOSITORY_PARAMETER };

  test('creates no CodeCommit repository and no EventBridge push rule', () => {
    template.resourceCountIs('AWS::CodeCommit::Repository', 0);
    for (const [id, rule] of resourcesOfType(json, 'AWS::Events::Rule')) {
      expect({ id, source: rule.Properties.EventPattern.source }).not.toEqual({ id, source: ['aws.codecommit'] });
    }
    expect(JSON.stringify(json)).not.toMatch(/codecommit:/);
  });

  test('takes the connection, both repositories and the branch at launch, each pattern-checked', () => {
    template.hasParameter(CONNECTION_ARN_PARAMETER, {
      Type: 'String', AllowedPattern: CONNECTION_ARN_PATTERN, ...(SOURCE[kind].connectionArn ? { Default: SOURCE[kind].connectionArn } : {}),
    });
    if (!SOURCE[kind].connectionArn) expect(json.Parameters![CONNECTION_ARN_PARAMETER].Default).toBeUndefined();
    for (const parameter of [MODEL_BUILD_REPOSITORY_PARAMETER, MODEL_DEPLOY_REPOSITORY_PARAMETER]) {
      template.hasParameter(parameter, { Type: 'String', AllowedPattern: REPOSITORY_ID_PATTERN, Default: Match.absent() });
    }
    template.hasParameter(GIT_BRANCH_PARAMETER, { Type: 'String', AllowedPattern: GIT_BRANCH_PATTERN, Default: SOURCE[kind].branch });
  });

  test('each pipeline reads its repository through the connection and is started by a V2 push trigger on the branch', () => {
    expect(pipelines).toHaveLength(2);
    for (const [id, pipeline] of pipelines) {
      const side = id.startsWith('ModelBuild') ? 'ModelBuild' : 'ModelDeploy';
      const [source] = pipeline.Properties.Stages[0].Actions;
      expect({ id, provider: source.ActionTypeId.Provider, configuration: source.Configuration }).toEqual({
        id,
        provider: 'CodeStarSourceConnection',
        configuration: {
          ConnectionArn: { Ref: CONNECTION_ARN_PARAMETER },
          FullRepositoryId: { Ref: repositoryOf[side] },
          BranchName: { Ref: GIT_BRANCH_PARAMETER },
        },
      });
      expect(pipeline.Properties.PipelineType).toBe('V2');
      expect(pipeline.Properties.Triggers).toEqual([{
        ProviderType: 'CodeStarSourceConnection',
        GitConfiguration: { SourceActionName: source.Name, Push: [{ Branches: { Includes: [{ Ref: GIT_BRANCH_PARAMETER }] } }] },
      }]);
    }
  });

  test('seeds each repository before its pipeline exists, through the seed check-in function', () => {
    const seeds = resourcesOfType(json, SEED_CHECKIN_RESOURCE_TYPE);
    expect(seeds.map(([, r]) => r.Properties.RepositoryId).sort((a, b) => a.Ref.localeCompare(b.Ref)))
      .toEqual([{ Ref: MODEL_BUILD_REPOSITORY_PARAMETER }, { Ref: MODEL_DEPLOY_REPOSITORY_PARAMETER }]);
    const [[functionId]] = resourcesOfType(json, 'AWS::Lambda::Function');
    for (const [id, seed] of seeds) {
      expect({ id, token: seed.Properties.ServiceToken, uri: seed.Properties.SeedS3Uri })
        .toEqual({ id, token: { 'Fn::GetAtt': [functionId, 'Arn'] }, uri: expect.stringMatching(/^s3:\/\/sagemaker-[^/]+\/[0-9a-f]{64}\.zip$/) });
      const pipeline = pipelines.find(([pid]) => id.startsWith(pid.startsWith('ModelBuild') ? 'ModelBuild' : 'ModelDeploy'))!;
      expect((pipeline[1] as any).DependsOn).toContain(id);
      // The check-in build's role policy exists before the build is started.
      const [[buildPolicy]] = resourcesOfType(json, 'AWS::IAM::Policy').filter(([, p]) => JSON.stringify(p.Properties.PolicyDocument).includes('s3:GetObject')
        && JSON.stringify(p.Properties.Roles).includes('SeedCheckin') && JSON.stringify(p.Properties.Roles).includes('Build'));
      expect({ id, dependsOn: (seed as any).DependsOn }).toEqual({ id, dependsOn: expect.arrayContaining([buildPolicy]) });
    }
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      Source: { Type: 'S3', BuildSpec: 'buildspec.yml' },
      Environment: { EnvironmentVariables: Match.arrayWith([{ Name: 'CONNECTION_ARN', Type: 'PLAINTEXT', Value: { Ref: CONNECTION_ARN_PARAMETER } }]) },
    });
  });

  test('a seed check-in that outlives the function\'s wait is stopped: its build times out queued or running first', () => {
    const [[, fn]] = resourcesOfType(json, 'AWS::Lambda::Function');
    const [[buildId, build]] = resourcesOfType(json, 'AWS::CodeBuild::Project').filter(([, p]) => p.Properties.Source.Type === 'S3');
    const { TimeoutInMinutes: running, QueuedTimeoutInMinutes: queued } = build.Properties;
    expect({ running, queued, functionMinutes: fn.Properties.Timeout / 60 }).toEqual({ running: 10, queued: 5, functionMinutes: 15 });
    const triggerStatements = roleStatements(json, fn.Properties.Role['Fn::GetAtt'][0]);
    const onBuild = triggerStatements.filter((st: any) => JSON.stringify(st.Resource).includes(buildId));
    expect(onBuild.flatMap((st: any) => asList(st.Action)).sort()).toEqual(['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild']);
  });

  test('a launch naming one repository for both sides is refused by a template rule before anything is created', () => {
    expect(Object.values((json as any).Rules ?? {})).toEqual([{
      Assertions: [{
        Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: MODEL_BUILD_REPOSITORY_PARAMETER }, { Ref: MODEL_DEPLOY_REPOSITORY_PARAMETER }] }] },
        AssertDescription: expect.stringContaining('two different repositories'),
      }],
    }]);
  });

  test('every grant on a connection names only the launch\'s connection, limited to the project\'s repositories', () => {
    const grants = resourcesOfType(json, 'AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => asList<string>(s.Action).some(isConnectionAction));
    // The two pipeline roles (read) and the seed check-in role (push).
    expect(grants).toHaveLength(3);
    for (const grant of grants) {
      expect(grant.Resource).toEqual({ Ref: CONNECTION_ARN_PARAMETER });
      expect(asList<string>(grant.Action).sort()).toEqual(['codeconnections:UseConnection', 'codestar-connections:UseConnection']);
      const repositories = grant.Condition.StringEqualsIfExists['codeconnections:FullRepositoryId'];
      expect(grant.Condition.StringEqualsIfExists['codestar-connections:FullRepositoryId']).toEqual(repositories);
      for (const repository of repositories) {
        expect([{ Ref: MODEL_BUILD_REPOSITORY_PARAMETER }, { Ref: MODEL_DEPLOY_REPOSITORY_PARAMETER }]).toContainEqual(repository);
      }
    }
  });
});

describe('the parameter patterns', () => {
  const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
  test('accept both connection ARN prefixes and reject anything else', () => {
    const arn = new RegExp(CONNECTION_ARN_PATTERN);
    for (const ok of [`arn:aws:codeconnections:eu-west-1:111122223333:connection/${id}`, `arn:aws:codestar-connections:us-east-1:111122223333:connection/${id}`,
      `arn:aws-cn:codeconnections:cn-north-1:111122223333:connection/${id}`]) expect({ ok, valid: arn.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of [`arn:aws:codecommit:eu-west-1:111122223333:connection/${id}`, `arn:aws:codeconnections:eu-west-1:111122223333:host/${id}`,
      `arn:aws:codeconnections:eu-west-1:1111:connection/${id}`, id, '']) expect({ bad, valid: arn.test(bad) }).toEqual({ bad, valid: false });
  });

  test('accept owner/name repositories and git branch names, and reject paths and option-like branches', () => {
    const repo = new RegExp(REPOSITORY_ID_PATTERN);
    const branch = new RegExp(GIT_BRANCH_PATTERN);
    for (const ok of ['my-org/churn-modelbuild', 'me/repo.v2', 'A_B/c']) expect({ ok, valid: repo.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['repo', 'a/b/c', '/repo', 'org/', 'org/re po']) expect({ bad, valid: repo.test(bad) }).toEqual({ bad, valid: false });
    for (const ok of ['main', 'release/2026', 'feature_x.1']) expect({ ok, valid: branch.test(ok) }).toEqual({ ok, valid: true });
    for (const bad of ['-f', '', 'a b', '/main']) expect({ bad, valid: branch.test(bad) }).toEqual({ bad, valid: false });
  });
});

describe('the portfolio when some product uses a connection', () => {
  const json = portfolioTemplate(CONNECTIONS_SYNTH_DIR);
  const launchStatements = resourcesOfType(json, 'AWS::IAM::Policy').concat(resourcesOfType(json, 'AWS::IAM::ManagedPolicy'))
    .filter(([id]) => id.startsWith('LaunchRole')).flatMap(([, p]) => p.Properties.PolicyDocument.Statement);

  test('the launch role may pass a connection to CodePipeline only, under either prefix', () => {
    for (const service of ['codeconnections', 'codestar-connections']) {
      const pass = launchStatements.filter((s: any) => asList<string>(s.Action).includes(`${service}:PassConnection`));
      expect(pass).toHaveLength(1);
      expect(pass[0].Condition).toEqual({ StringEquals: { [`${service}:PassedToService`]: 'codepipeline.amazonaws.com' } });
    }
  });

  test('the permissions boundary allows using connections of the account only', () => {
    const [, boundary] = resourcesOfType(json, 'AWS::IAM::ManagedPolicy').find(([id]) => id.includes('PermissionsBoundary'))!;
    const use = boundary.Properties.PolicyDocument.Statement.find((s: any) => s.Sid === 'UseConnections');
    expect(JSON.stringify(use.Resource)).toMatch(/codeconnections:\*:.*AWS::AccountId.*:connection\/\*/);
  });

  test('the default configuration grants nothing on connections (its templates are unchanged)', () => {
    expect(JSON.stringify(portfolioTemplate())).not.toMatch(/connections:/);
    for (const kind of PRODUCT_KINDS) expect(JSON.stringify(productTemplate(kind))).not.toMatch(/connections:|Custom::SeedCheckin/);
  });
});

test('cfn-lint passes over the portfolio and both product templates', () => {
  const root = path.join(__dirname, '..');
  const files = [portfolioTemplateFile(CONNECTIONS_SYNTH_DIR), ...PRODUCT_KINDS.map((k) => productTemplateFile(k, CONNECTIONS_SYNTH_DIR))]
    .map((f) => path.join(CONNECTIONS_SYNTH_DIR, f));
  // Throws with cfn-lint's findings on any error or warning.
  execFileSync(path.join(root, '.venv', 'bin', 'cfn-lint'), ['--config-file', path.join(root, '.cfnlintrc.yaml'), '--', ...files],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
});
