import { isIamAction, resourceSchema } from './resource-schemas';
import { CfnTemplate, resourcesOfType } from './synthesized-app';

/**
 * Does a role allow what CloudFormation calls for each resource type it deploys? The needed
 * actions come from the resource provider schemas (handlers create/read/update/delete + tagging),
 * keeping only real IAM actions and dropping features a template never configures (each exclusion
 * carries its reason).
 */
export type Exclusion = [pattern: RegExp, reason: string];

/** Resource types whose schema has no handler permissions (legacy, non-registry types): from the service authorization reference. */
export const LEGACY_TYPE_ACTIONS: Record<string, string[]> = {
  'AWS::CodeBuild::Project': [
    'codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects', 'iam:PassRole',
  ],
};

/** Features neither template configures. */
export const COMMON_EXCLUSIONS: Exclusion[] = [
  [/^kms:/, 'no customer-managed KMS key is used (ECR, S3, logs and Lambda use AWS-owned keys)'],
  [/^iam:PassRole$/, 'checked apart: each role passes only named project roles (see the role tests)'],
];

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Condition?: unknown };
const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** Actions allowed by every inline policy attached to the role with logical id `roleId`. */
export function allowedActions(template: CfnTemplate, roleId: string): string[] {
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement as Statement[])
    .filter((s) => s.Effect === 'Allow')
    .flatMap((s) => asList(s.Action));
}

/** IAM action matching: case-insensitive, `*` and `?` wildcards. */
export function allows(patterns: string[], action: string): boolean {
  return patterns.some((p) => new RegExp(`^${p.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i').test(action));
}

export function resourceTypes(template: CfnTemplate): string[] {
  return [...new Set(Object.values(template.Resources).map((r) => r.Type))].sort();
}

export function schemaActions(type: string): string[] {
  if (LEGACY_TYPE_ACTIONS[type]) return LEGACY_TYPE_ACTIONS[type];
  const schema = resourceSchema(type);
  const handlers = schema.handlers ?? {};
  return [...new Set<string>([
    ...['create', 'read', 'update', 'delete'].flatMap((h) => handlers[h]?.permissions ?? []),
    ...(schema.tagging?.permissions ?? []),
  ])].sort();
}

export function neededActions(type: string, exclusions: Exclusion[]): string[] {
  return schemaActions(type)
    .filter((a) => isIamAction(a))
    .filter((a) => !exclusions.some(([pattern]) => pattern.test(a)));
}

/**
 * The coverage checks for one role: every action CloudFormation needs for each resource type is
 * allowed, and every exclusion still matches something (so no reason goes stale).
 */
export function expectRoleCovers(roleLabel: string, allowed: string[], types: string[], exclusions: Exclusion[]): void {
  test.each(types)(`the ${roleLabel} allows every action CloudFormation needs for %s`, (type) => {
    const needed = neededActions(type, exclusions);
    expect(needed.length).toBeGreaterThan(0);
    expect({ type, missing: needed.filter((a) => !allows(allowed, a)) }).toEqual({ type, missing: [] });
  });

  test(`every ${roleLabel} exclusion still matches an action of some covered resource type (no stale reasons)`, () => {
    const everyAction = types.flatMap((type) => schemaActions(type));
    for (const [pattern, reason] of exclusions) {
      expect({ reason, matched: everyAction.some((a) => pattern.test(a)) }).toEqual({ reason, matched: true });
    }
  });
}
