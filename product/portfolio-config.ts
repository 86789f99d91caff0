import * as fs from 'fs';
import { isMap, isScalar, isSeq, parseDocument, type Node as YamlNode } from 'yaml';

/**
 * The portfolio configuration file (YAML) that platform teams edit: portfolio and product
 * metadata, who may launch the template, and extra tags. Parsing is strict: any problem stops
 * synth with one message naming the file and the key, never a stack trace from deep inside CDK.
 */

export const DEFAULT_PORTFOLIO_CONFIG_FILE = 'config/portfolio.yaml';

export interface PortfolioSettings {
  readonly displayName: string;
  readonly providerName: string;
  readonly description: string;
  /**
   * Part of every account-wide name the portfolio creates (launch role, permissions boundary, asset
   * bucket, stack), so that several configurations can be deployed in one account and region.
   */
  readonly nameQualifier: string;
}

/** The qualifier of a configuration that sets none. */
export const DEFAULT_NAME_QUALIFIER = 'main';

export interface ProductSettings {
  readonly name: string;
  readonly owner: string;
  readonly description: string;
  /** Label of the version this synth publishes. */
  readonly versionLabel: string;
  /** Earlier published labels that stay launchable (templates in product-stack-snapshots/). */
  readonly previousVersionLabels: readonly string[];
  /** When true, synth fails if the template changed but `versionLabel` did not. */
  readonly lockVersionLabel: boolean;
}

export interface AccessSettings {
  /** SageMaker execution role ARNs associated with the portfolio. */
  readonly executionRoleArns: readonly string[];
  /** IAM role-name patterns (IAM_PATTERN associations), for SSO / Identity Center roles. */
  readonly rolePatterns: readonly string[];
}

/** Settings baked into the product templates, applying to every project launched from them. */
export interface ProjectSettings {
  /** Delete the ECR repository and its images when a project is deleted (default: retained). */
  readonly deleteImagesWithProject: boolean;
  /** Images kept in a project's ECR repository. */
  readonly maxImageCount: number;
  /** Days a replaced artifact version stays in the project bucket. */
  readonly noncurrentVersionExpirationDays: number;
}

export const DEFAULT_PROJECT_SETTINGS: ProjectSettings = {
  deleteImagesWithProject: false,
  maxImageCount: 20,
  noncurrentVersionExpirationDays: 30,
};

export interface PortfolioConfig {
  readonly portfolio: PortfolioSettings;
  /** The Lambda (API Gateway + Lambda container) product. */
  readonly product: ProductSettings;
  /** The SageMaker endpoint product; not published when absent. */
  readonly endpointProduct?: ProductSettings;
  readonly access: AccessSettings;
  readonly project: ProjectSettings;
  readonly tags: Readonly<Record<string, string>>;
  /**
   * Literal name of the bucket holding the product's file assets (seed repos).
   * @default - `sagemaker-sc-assets-<account>-<region>` when the environment is known
   */
  readonly assetBucketName?: string;
}

/** A problem in the configuration file; the message names the file and the key. */
export class PortfolioConfigError extends Error {
  constructor(readonly file: string, readonly key: string, problem: string) {
    super(`${file}: ${key}: ${problem}`);
    this.name = 'PortfolioConfigError';
  }
}

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// IAM role names allow [\w+=,.@-]; patterns add the * and ? wildcards (and path slashes).
const ROLE_PATTERN = /^[\w+=,.@/*?-]{1,512}$/;
// Lower case: it is part of the S3 asset bucket name.
const NAME_QUALIFIER = /^[a-z0-9]{1,12}$/;
const VERSION_LABEL = /^[\w.+-]{1,100}$/;
const BUCKET_NAME = /^sagemaker-[a-z0-9][a-z0-9.-]{0,51}[a-z0-9]$/;
// aws: is reserved; values follow the CloudFormation tag rules.
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Reads and validates `file`; throws {@link PortfolioConfigError} on the first problem. */
export function loadPortfolioConfig(file: string = DEFAULT_PORTFOLIO_CONFIG_FILE): PortfolioConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PortfolioConfigError(file, '(file)', `cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  return parsePortfolioConfig(text, file);
}

/** Validates YAML text; `file` is only used in messages. */
export function parsePortfolioConfig(text: string, file: string): PortfolioConfig {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first.linePos?.[0];
    // The yaml package's advice for this case names its own API; say what to change in the file instead.
    const message = first.code === 'MULTIPLE_DOCS'
      ? 'the file holds more than one YAML document (a line "---" starts another); keep a single document'
      : first.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
    throw new PortfolioConfigError(file, '(YAML syntax)', `${message}${line ? ` (line ${line.line}, column ${line.col})` : ''}`);
  }
  const reader = new Reader(file);
  const root = reader.map(doc.contents, '(document)', ['portfolio', 'product', 'endpointProduct', 'access', 'project', 'tags', 'assetBucketName']);

  const access = readAccess(reader, root.access);
  const portfolio = reader.map(root.portfolio, 'portfolio', ['displayName', 'providerName', 'description', 'nameQualifier']);
  return {
    portfolio: {
      displayName: reader.string(portfolio.displayName, 'portfolio.displayName', { maxLength: 100 }),
      providerName: reader.string(portfolio.providerName, 'portfolio.providerName', { maxLength: 50 }),
      description: reader.string(portfolio.description, 'portfolio.description', { maxLength: 2000, optional: true }),
      nameQualifier: reader.string(portfolio.nameQualifier, 'portfolio.nameQualifier', {
        optional: true, pattern: NAME_QUALIFIER, hint: '1-12 lower-case letters or digits',
      }) || DEFAULT_NAME_QUALIFIER,
    },
    product: readProduct(reader, root.product, 'product'),
    endpointProduct: root.endpointProduct === undefined ? undefined : readProduct(reader, root.endpointProduct, 'endpointProduct'),
    access,
    project: readProjectSettings(reader, root.project),
    tags: reader.tags(root.tags, 'tags'),
    assetBucketName: root.assetBucketName === undefined ? undefined
      : reader.string(root.assetBucketName, 'assetBucketName', {
        pattern: BUCKET_NAME, hint: 'a literal S3 bucket name starting with "sagemaker-" (3-63 lower-case characters)',
      }),
  };
}

/**
 * Who may launch. Studio calls Service Catalog as the user's SageMaker execution role, so a
 * portfolio without any principal is invisible, and an Identity Center role (under the path
 * /aws-reserved/sso.amazonaws.com/) is matched by an IAM_PATTERN only with that path.
 */
function readAccess(reader: Reader, node: unknown): AccessSettings {
  const access = reader.map(node, 'access', ['executionRoleArns', 'rolePatterns']);
  const executionRoleArns = reader.strings(access.executionRoleArns, 'access.executionRoleArns', {
    pattern: ROLE_ARN, hint: 'an IAM role ARN such as arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20260101T000000',
  });
  const rolePatterns = reader.strings(access.rolePatterns, 'access.rolePatterns', {
    pattern: ROLE_PATTERN, hint: 'an IAM role pattern with its path, such as service-role/AmazonSageMaker-ExecutionRole-*',
  });
  if (executionRoleArns.length === 0 && rolePatterns.length === 0) {
    throw reader.error('access', 'no principal can see the template: list the SageMaker execution roles of your Studio users in '
      + 'executionRoleArns, or a pattern such as service-role/AmazonSageMaker-ExecutionRole-* in rolePatterns '
      + '(Studio calls Service Catalog as the execution role)');
  }
  rolePatterns.forEach((pattern, index) => {
    if (/^AWSReservedSSO_/.test(pattern)) {
      throw reader.error(`access.rolePatterns[${index}]`, `"${pattern}" can never match: IAM Identity Center roles live under the path `
        + `/aws-reserved/sso.amazonaws.com/; write aws-reserved/sso.amazonaws.com/*${pattern}`);
    }
  });
  return { executionRoleArns, rolePatterns };
}

/** True when some principal of `access` is, or may match, a SageMaker execution role (what Studio calls Service Catalog as). */
export function reachesExecutionRoles(access: AccessSettings): boolean {
  return access.executionRoleArns.length > 0 || access.rolePatterns.some((p) => /SageMaker|ExecutionRole/i.test(p));
}

function readProjectSettings(reader: Reader, node: unknown): ProjectSettings {
  if (node === undefined) return DEFAULT_PROJECT_SETTINGS;
  const project = reader.map(node, 'project', ['deleteImagesWithProject', 'maxImageCount', 'noncurrentVersionExpirationDays']);
  const d = DEFAULT_PROJECT_SETTINGS;
  return {
    deleteImagesWithProject: reader.boolean(project.deleteImagesWithProject, 'project.deleteImagesWithProject', d.deleteImagesWithProject),
    maxImageCount: reader.integer(project.maxImageCount, 'project.maxImageCount', d.maxImageCount, 1, 1000),
    noncurrentVersionExpirationDays: reader.integer(project.noncurrentVersionExpirationDays, 'project.noncurrentVersionExpirationDays',
      d.noncurrentVersionExpirationDays, 1, 3650),
  };
}

function readProduct(reader: Reader, node: unknown, key: string): ProductSettings {
  const product = reader.map(node, key, ['name', 'owner', 'description', 'versionLabel', 'previousVersionLabels', 'lockVersionLabel']);
  const label = { pattern: VERSION_LABEL, hint: 'letters, digits, . _ + -' };
  const versionLabel = reader.string(product.versionLabel, `${key}.versionLabel`, label);
  const previousVersionLabels = reader.strings(product.previousVersionLabels, `${key}.previousVersionLabels`, label);
  if (previousVersionLabels.includes(versionLabel)) {
    throw reader.error(`${key}.previousVersionLabels`, `must not repeat the current versionLabel "${versionLabel}"`);
  }
  return {
    name: reader.string(product.name, `${key}.name`, { maxLength: 8191 }),
    owner: reader.string(product.owner, `${key}.owner`, { maxLength: 8191 }),
    description: reader.string(product.description, `${key}.description`, { maxLength: 8191, optional: true }),
    versionLabel,
    previousVersionLabels,
    lockVersionLabel: reader.boolean(product.lockVersionLabel, `${key}.lockVersionLabel`, false),
  };
}

interface StringRules {
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  readonly hint?: string;
  readonly optional?: boolean;
}

/** Typed access to YAML nodes; every failure names the dotted key. */
class Reader {
  constructor(private readonly file: string) {}

  map(node: unknown, key: string, allowed: readonly string[]): Record<string, YamlNode | undefined> {
    if (!isMap(node)) {
      throw this.error(key, node === undefined || node === null ? 'is missing (expected a mapping)' : 'must be a mapping of keys to values');
    }
    const result: Record<string, YamlNode | undefined> = {};
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = key === '(document)' ? name : `${key}.${name}`;
      if (!allowed.includes(name)) {
        throw this.error(path, `unknown key (allowed here: ${allowed.join(', ')})`);
      }
      result[name] = (pair.value ?? undefined) as YamlNode | undefined;
    }
    return result;
  }

  string(node: unknown, key: string, rules: StringRules = {}): string {
    if (node === undefined || (isScalar(node) && node.value === null)) {
      if (rules.optional) return '';
      throw this.error(key, 'is missing (expected a string)');
    }
    if (!isScalar(node) || typeof node.value !== 'string') {
      throw this.error(key, `must be a string, got ${describe(node)}`);
    }
    const value = node.value.trim();
    if (value.length === 0) throw this.error(key, 'must not be empty');
    if (rules.maxLength !== undefined && value.length > rules.maxLength) {
      throw this.error(key, `must be at most ${rules.maxLength} characters, got ${value.length}`);
    }
    if (rules.pattern && !rules.pattern.test(value)) {
      throw this.error(key, `"${value}" is not ${rules.hint ?? `valid (${rules.pattern})`}`);
    }
    return value;
  }

  strings(node: unknown, key: string, rules: StringRules): string[] {
    if (node === undefined || (isScalar(node) && node.value === null)) return [];
    if (!isSeq(node)) throw this.error(key, `must be a list, got ${describe(node)}`);
    const seen = new Set<string>();
    return node.items.map((item, index) => {
      const value = this.string(item, `${key}[${index}]`, rules);
      if (seen.has(value)) throw this.error(`${key}[${index}]`, `duplicate entry "${value}"`);
      seen.add(value);
      return value;
    });
  }

  boolean(node: unknown, key: string, fallback: boolean): boolean {
    if (node === undefined || (isScalar(node) && node.value === null)) return fallback;
    if (!isScalar(node) || typeof node.value !== 'boolean') throw this.error(key, `must be true or false, got ${describe(node)}`);
    return node.value;
  }

  integer(node: unknown, key: string, fallback: number, min: number, max: number): number {
    if (node === undefined || (isScalar(node) && node.value === null)) return fallback;
    if (!isScalar(node) || typeof node.value !== 'number' || !Number.isInteger(node.value)) {
      throw this.error(key, `must be a whole number, got ${describe(node)}`);
    }
    if (node.value < min || node.value > max) throw this.error(key, `must be between ${min} and ${max}, got ${node.value}`);
    return node.value;
  }

  tags(node: unknown, key: string): Record<string, string> {
    if (node === undefined || (isScalar(node) && node.value === null)) return {};
    if (!isMap(node)) throw this.error(key, `must be a mapping of tag keys to values, got ${describe(node)}`);
    const tags: Record<string, string> = {};
    for (const pair of node.items) {
      const name = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const path = `${key}.${name}`;
      if (!TAG_KEY.test(name)) throw this.error(path, 'is not a valid tag key (1-128 characters, must not start with "aws:")');
      if (name.startsWith('sagemaker:')) throw this.error(path, 'the sagemaker: prefix is reserved for SageMaker Projects tags');
      if (!isScalar(pair.value) || !['string', 'number', 'boolean'].includes(typeof pair.value.value)) {
        throw this.error(path, `must be a string, got ${describe(pair.value)}`);
      }
      const value = String(pair.value.value);
      if (!TAG_VALUE.test(value)) throw this.error(path, 'is not a valid tag value (at most 256 characters)');
      tags[name] = value;
    }
    return tags;
  }

  error(key: string, problem: string): PortfolioConfigError {
    return new PortfolioConfigError(this.file, key, problem);
  }
}

function describe(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    if (node.value === null) return 'an empty value';
    // String(), not JSON.stringify: YAML's .inf and 1e999 are numbers JSON would print as null.
    return typeof node.value === 'string' ? `string ${JSON.stringify(node.value)}` : `${typeof node.value} ${String(node.value)}`;
  }
  return 'nothing';
}
