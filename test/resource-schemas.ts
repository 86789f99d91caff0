import * as fs from 'fs';
import * as path from 'path';

/**
 * CloudFormation resource provider schemas, as shipped by the pinned cfn-lint in the project's
 * .venv (`npx projen setup:python`). They state, per resource type, whether it takes tags and
 * which IAM actions CloudFormation calls to create, update and delete it.
 */
export interface ResourceSchema {
  readonly typeName: string;
  readonly tagging?: { readonly taggable?: boolean; readonly tagProperty?: string; readonly permissions?: string[] };
  readonly handlers?: Record<string, { readonly permissions?: string[] }>;
  readonly properties?: Record<string, unknown>;
  /** JSON pointers (/properties/X/...) of properties whose change replaces the resource. */
  readonly createOnlyProperties?: string[];
}

const SCHEMA_REGION = 'us-east-1';

function schemasDir(): string {
  const lib = path.join(__dirname, '..', '.venv', 'lib');
  const python = fs.existsSync(lib) ? fs.readdirSync(lib).find((d) => d.startsWith('python')) : undefined;
  const dir = python && path.join(lib, python, 'site-packages', 'cfnlint', 'data', 'schemas');
  if (!dir || !fs.existsSync(dir)) {
    throw new Error('cfn-lint schemas not found: run `npx projen setup:python` first (creates .venv with the pinned cfn-lint)');
  }
  return dir;
}

let index: Record<string, string> | undefined;

export function resourceSchema(type: string): ResourceSchema {
  const dir = schemasDir();
  index ??= JSON.parse(fs.readFileSync(path.join(dir, 'providers', `${SCHEMA_REGION}.json`), 'utf8')) as Record<string, string>;
  const file = index[type];
  if (!file) throw new Error(`no provider schema for ${type} in cfn-lint's ${SCHEMA_REGION} schemas`);
  return JSON.parse(fs.readFileSync(path.join(dir, 'resources', `${file}.json`), 'utf8'));
}

/** True when CloudFormation can tag the resource type through its template properties. */
export function isTaggable(type: string): boolean {
  const schema = resourceSchema(type);
  if (schema.tagging) return schema.tagging.taggable !== false;
  return schema.properties !== undefined && 'Tags' in schema.properties;
}

let iamActions: Record<string, { Actions: Record<string, unknown> }> | undefined;

/**
 * True when `action` is a real IAM action (cfn-lint's copy of the service authorization reference).
 * Provider schemas sometimes list API names that IAM authorizes under another action.
 */
export function isIamAction(action: string): boolean {
  iamActions ??= JSON.parse(fs.readFileSync(path.join(schemasDir(), '..', 'AdditionalSpecs', 'Policies.json'), 'utf8'));
  const [service, name] = action.split(':');
  return iamActions![service] !== undefined && name.toLowerCase() in iamActions![service].Actions;
}
