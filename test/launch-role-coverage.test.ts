import { isIamAction, resourceSchema } from './resource-schemas';
import { CfnTemplate, portfolioTemplate, productTemplate, resourcesOfType } from './synthesized-app';
import { LAUNCH_ROLE_NAME } from '../product/launch-role';

/**
 * The failure users hit most with custom project templates: Studio launches, CloudFormation starts,
 * and the launch role lacks one action for one resource. This test derives the actions CloudFormation
 * calls for each resource type in the product template from the resource provider schemas shipped
 * with cfn-lint (handlers create/read/update/delete + tagging), and checks the launch role allows all.
 */

/** Resource types whose schema has no handler permissions (legacy, non-registry types): from the service authorization reference. */
const LEGACY_TYPE_ACTIONS: Record<string, string[]> = {
  'AWS::CodeBuild::Project': [
    'codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects', 'iam:PassRole',
  ],
};

/** Schema actions for features the template never configures; each with the reason it cannot be called. */
const NOT_USED_BY_THIS_TEMPLATE: Array<[RegExp, string]> = [
  [/^s3tables:/, 'S3 metadata tables are not configured on project buckets'],
  [/^s3:(Create|Update|Delete|Get)Bucket\w*MetadataTableConfiguration$|^s3:UpdateBucketMetadata/, 'S3 metadata tables are not configured'],
  [/^codestar-connections:/, 'the pipelines read CodeCommit, not a CodeStar connection'],
  [/^iam:(Put|Get|Delete)(User|Group)Policy$/, 'the template attaches inline policies to roles only'],
  [/^codecommit:UpdateRepositoryEncryptionKey$/, 'repositories use the AWS-managed key'],
  [/^s3:(PutBucketReplication|PutReplicationConfiguration|DeleteBucketReplication)$/, 'project buckets are not replicated'],
  [/^iam:PassRole$/, 'checked apart: the launch role passes only sagemaker-p-* roles (launch-role.test.ts)'],
  [/^iam:DeleteRolePermissionsBoundary$/, 'project roles keep the boundary: the launch role must never be able to remove it'],
];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

function launchRoleAllowedActions(template: CfnTemplate): string[] {
  const [[roleId]] = resourcesOfType(template, 'AWS::IAM::Role').filter(([, r]) => r.Properties.RoleName === LAUNCH_ROLE_NAME);
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asList(s.Action));
}

/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
function allows(patterns: string[], action: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action));
}

function neededActions(type: string): string[] {
  if (LEGACY_TYPE_ACTIONS[type]) return LEGACY_TYPE_ACTIONS[type];
  const schema = resourceSchema(type);
  const handlers = schema.handlers ?? {};
  const actions = new Set<string>([
    ...['create', 'read', 'update', 'delete'].flatMap((h) => handlers[h]?.permissions ?? []),
    ...(schema.tagging?.permissions ?? []),
  ]);
  return [...actions]
    .filter((a) => isIamAction(a))
    .filter((a) => !NOT_USED_BY_THIS_TEMPLATE.some(([pattern]) => pattern.test(a))).sort();
}

const productTypes = [...new Set(Object.values(productTemplate().Resources).map((r) => r.Type))].sort();
const allowed = launchRoleAllowedActions(portfolioTemplate());

describe('launch role coverage of the product template', () => {
  test('the product template has resources to cover', () => {
    expect(productTypes.length).toBeGreaterThan(3);
  });

  test.each(productTypes)('the launch role allows every action CloudFormation needs for %s', (type) => {
    const needed = neededActions(type);
    expect(needed.length).toBeGreaterThan(0);
    const missing = needed.filter((action) => !allows(allowed, action));
    expect({ type, missing }).toEqual({ type, missing: [] });
  });

  test('every exclusion still matches something in the schemas (no stale reasons)', () => {
    const everyAction = productTypes.flatMap((type) => {
      if (LEGACY_TYPE_ACTIONS[type]) return [];
      const schema = resourceSchema(type);
      return Object.values(schema.handlers ?? {}).flatMap((h) => h.permissions ?? []);
    });
    for (const [pattern, reason] of NOT_USED_BY_THIS_TEMPLATE) {
      expect({ reason, matched: everyAction.some((a) => pattern.test(a)) }).toEqual({ reason, matched: true });
    }
  });

  test('the launch role names only real IAM actions', () => {
    expect(allowed.filter((a) => !a.includes('*') && !isIamAction(a))).toEqual([]);
  });

  test('the matcher honours IAM wildcards and rejects near misses', () => {
    expect(allows(['s3:Get*'], 's3:GetObject')).toBe(true);
    expect(allows(['s3:GetObject'], 's3:GetObjectVersion')).toBe(false);
    expect(allows(['iam:PassRole'], 'iam:passrole')).toBe(true);
  });
});
