import { isIamAction, resourceSchema } from '../resource-schemas';

/**
 * What CloudFormation calls for each resource type it deploys, from the resource provider schemas
 * (handlers create/read/update/delete + tagging): only real IAM actions, minus features a template
 * never configures (each exclusion carries its reason).
 */
/** Actions matching `pattern` are never needed (for `reason`), except by the one resource type `exceptFor`. */
export type Exclusion = [pattern: RegExp, reason: string, exceptFor?: string];

/** Resource types whose schema has no handler permissions (legacy, non-registry types): from the service authorization reference. */
export const LEGACY_TYPE_ACTIONS: Record<string, string[]> = {
  'AWS::CodeBuild::Project': [
    'codebuild:CreateProject', 'codebuild:UpdateProject', 'codebuild:DeleteProject', 'codebuild:BatchGetProjects', 'iam:PassRole',
  ],
};

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
    .filter((a) => !exclusions.some(([pattern, , exceptFor]) => exceptFor !== type && pattern.test(a)));
}
