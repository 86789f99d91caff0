import { CfnTemplate, readTemplate, templateFiles } from './synthesized-app';

/**
 * IAM checks over every synthesized template (portfolio and product): no `Action: "*"`, no
 * AWS-managed *FullAccess policy, and no write action on `Resource: "*"` unless the action has no
 * resource-level permissions (listed here) or the statement is conditioned.
 */
const UNSCOPABLE_ACTIONS = new Set([
  'cloudformation:ValidateTemplate', 'cloudformation:GetTemplateSummary', 'ecr:GetAuthorizationToken',
  'codecommit:ListRepositories', 'sagemaker:ListModelPackages', 'cloudwatch:PutMetricData',
  'logs:DescribeLogGroups', 'sts:GetCallerIdentity', 'xray:PutTraceSegments', 'xray:PutTelemetryRecords',
  // HTTP API access logging: API Gateway sets up vended log delivery as the caller; no resource-level permissions.
  'logs:CreateLogDelivery', 'logs:UpdateLogDelivery', 'logs:DeleteLogDelivery', 'logs:PutResourcePolicy', 'logs:DeleteResourcePolicy',
  // The Lambda alias's CodeDeployLambdaAliasUpdate stops a deployment it gave up on; no resource-level permissions.
  'codedeploy:StopDeployment',
]);
const READ_ONLY_VERB = /^(Get|List|Describe|BatchGet|BatchCheck|Search|View)/;

type Statement = { Effect: string; Action?: string | string[]; Resource?: unknown; Condition?: unknown; Sid?: string };
interface PolicyRef { template: string; resource: string; statements: Statement[]; isBoundary: boolean }

const asList = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function policies(file: string, template: CfnTemplate): PolicyRef[] {
  const found: PolicyRef[] = [];
  const boundaryNames = new Set(Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy').map((r) => r.Properties?.ManagedPolicyName));
  for (const [id, r] of Object.entries(template.Resources)) {
    const isBoundary = r.Type === 'AWS::IAM::ManagedPolicy' && /boundary/i.test(String(r.Properties?.ManagedPolicyName));
    if (r.Type === 'AWS::IAM::Policy' || r.Type === 'AWS::IAM::ManagedPolicy') {
      found.push({ template: file, resource: id, statements: asList(r.Properties?.PolicyDocument?.Statement), isBoundary });
    }
    if (r.Type === 'AWS::IAM::Role') {
      for (const p of asList<any>(r.Properties?.Policies)) {
        found.push({ template: file, resource: `${id}/${p.PolicyName}`, statements: asList(p.PolicyDocument.Statement), isBoundary: false });
      }
    }
  }
  void boundaryNames;
  return found;
}

const all = templateFiles().flatMap((file) => policies(file, readTemplate(file)));

describe('IAM guardrails over every synthesized template', () => {
  test('the templates contain IAM policies to check', () => {
    expect(all.length).toBeGreaterThan(0);
  });

  test('no statement allows Action "*" or a whole-service "*" outside the permissions boundary', () => {
    for (const policy of all) {
      for (const s of policy.statements.filter((st) => st.Effect === 'Allow')) {
        for (const action of asList(s.Action)) {
          expect({ where: `${policy.template}:${policy.resource}`, action }).not.toEqual({ where: expect.anything(), action: '*' });
          if (!policy.isBoundary) {
            expect({ where: `${policy.template}:${policy.resource}`, action }).not.toEqual({ where: expect.anything(), action: expect.stringMatching(/:\*$/) });
          }
        }
      }
    }
  });

  test('no role uses an AWS-managed *FullAccess policy', () => {
    for (const file of templateFiles()) {
      const text = JSON.stringify(readTemplate(file));
      expect({ file, fullAccess: /:policy\/[\w/-]*FullAccess/.test(text) }).toEqual({ file, fullAccess: false });
    }
  });

  test('write actions on Resource "*" are conditioned or have no resource-level permissions', () => {
    for (const policy of all.filter((p) => !p.isBoundary)) {
      for (const s of policy.statements.filter((st) => st.Effect === 'Allow' && asList(st.Resource).includes('*'))) {
        if (s.Condition !== undefined) continue;
        for (const action of asList(s.Action)) {
          const verb = action.split(':')[1] ?? '';
          const acceptable = UNSCOPABLE_ACTIONS.has(action) || READ_ONLY_VERB.test(verb);
          expect({ where: `${policy.template}:${policy.resource}`, action, acceptable })
            .toEqual({ where: `${policy.template}:${policy.resource}`, action, acceptable: true });
        }
      }
    }
  });
});
