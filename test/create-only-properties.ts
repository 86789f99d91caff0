import { resourceSchema } from './resource-schemas';
import { CfnTemplate } from './synthesized-app';

/**
 * Changing a create-only property (per the CloudFormation resource provider schemas cfn-lint ships)
 * makes CloudFormation replace the resource. A resource with a physical name we set cannot be
 * replaced: the new one is created first and fails with "already exists", rolling back the whole
 * project update. These helpers find such changes between two versions of a template.
 */
export interface CreateOnlyChange {
  readonly logicalId: string;
  readonly type: string;
  readonly property: string;
}

/** The top-level create-only properties of a type (nested paths are reported at their top-level property). */
export function createOnlyProperties(type: string): string[] {
  const paths = resourceSchema(type).createOnlyProperties ?? [];
  return [...new Set(paths.map((p) => p.replace(/^\/properties\//, '').split('/')[0]))];
}

/** A resource named by the template: it sets a create-only `...Name` property (RoleName, BucketName, ...). */
function isNamed(type: string, properties: Record<string, unknown> | undefined): boolean {
  return createOnlyProperties(type).some((p) => /Name$/.test(p) && properties?.[p] !== undefined);
}

/** Create-only properties of named resources that differ between `published` and `current` (same logical id). */
export function createOnlyChanges(published: CfnTemplate, current: CfnTemplate): CreateOnlyChange[] {
  const changes: CreateOnlyChange[] = [];
  for (const [logicalId, before] of Object.entries(published.Resources)) {
    const after = current.Resources[logicalId];
    if (!after || after.Type !== before.Type || before.Type.startsWith('Custom::') || before.Type === 'AWS::CDK::Metadata') continue;
    if (!isNamed(before.Type, before.Properties)) continue;
    for (const property of createOnlyProperties(before.Type)) {
      if (JSON.stringify(before.Properties?.[property]) !== JSON.stringify(after.Properties?.[property])) {
        changes.push({ logicalId, type: before.Type, property });
      }
    }
  }
  return changes;
}
