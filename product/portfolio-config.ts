import * as fs from 'fs';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { DEFAULT_NAME_QUALIFIER, DEFAULT_PROJECT_SETTINGS, PORTFOLIO_CONFIG_SCHEMA, PublishingTarget, SOURCE_PROVIDERS } from './portfolio-config-schema';

type SourceProvider = typeof SOURCE_PROVIDERS[number];

/**
 * The portfolio configuration file (YAML) that platform teams edit: portfolio and product
 * metadata, who may launch the template, and extra tags. Parsing is strict: any problem stops
 * synth with one message naming the file and the key, never a stack trace from deep inside CDK.
 * The rules and messages live in the schema (portfolio-config-schema.ts); this file reads YAML.
 */

export { DEFAULT_NAME_QUALIFIER, DEFAULT_PROJECT_SETTINGS };
export type { PublishingTarget };

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
  /** Where the product's repositories are hosted. */
  readonly source: SourceSettings;
}

/** A product's Git provider (config key `source`). */
export interface SourceSettings {
  /** codecommit: CodeCommit repositories per launch (default). codeconnections: existing repositories behind a connection. */
  readonly provider: SourceProvider;
  /** codeconnections: the launch form's default connection ARN; absent, the field is required. */
  readonly connectionArn?: string;
  /** codeconnections: the launch form's default branch. */
  readonly branch: string;
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

/** Where the product templates are published (README: "Service Catalog or S3 templates"). */
export interface PublishingSettings {
  /** `serviceCatalog` (the default), `s3Templates`, or both. */
  readonly targets: readonly PublishingTarget[];
  readonly s3Templates: {
    /** Folder of the asset bucket holding the S3 templates, ending in `/`: the domain tag points at it. */
    readonly keyPrefix: string;
  };
}

export interface PortfolioConfig {
  readonly portfolio: PortfolioSettings;
  /** The Lambda (API Gateway + Lambda container) product. */
  readonly product: ProductSettings;
  /** The SageMaker endpoint product; not published when absent. */
  readonly endpointProduct?: ProductSettings;
  readonly access: AccessSettings;
  readonly project: ProjectSettings;
  readonly tags: Readonly<Record<string, string>>;
  readonly publishing: PublishingSettings;
  /**
   * Literal name of the bucket holding the product's file assets (seed repos).
   * @default - `sagemaker-si-<nameQualifier>-assets-<account>-<region>` when the environment is known
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
  const result = PORTFOLIO_CONFIG_SCHEMA.safeParse(readYaml(text, file));
  if (!result.success) {
    const issue = firstProblem(result.error.issues);
    throw new PortfolioConfigError(file, keyOf(issue), issue.message);
  }
  return result.data;
}

/** The document as plain data (aliases resolved); a syntax problem names its line. */
function readYaml(text: string, file: string): unknown {
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
  try {
    return doc.toJS();
  } catch (err) {
    // e.g. the yaml package's limit on alias expansion ("Excessive alias count").
    throw new PortfolioConfigError(file, '(YAML syntax)', (err as Error).message.split('\n')[0]);
  }
}

/**
 * The one problem to report. An unknown key comes first: it is usually a misspelling, and the
 * key it was meant to be would otherwise be reported as missing.
 */
function firstProblem(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue {
  return issues.find((issue) => issue.code === 'unrecognized_keys') ?? issues[0];
}

/** The dotted key of an issue: `access.rolePatterns[0]`, `tags.team`, `(document)` for the whole file. */
function keyOf(issue: z.core.$ZodIssue): string {
  const path = issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]] : issue.path;
  let key = '';
  for (const segment of path) {
    if (typeof segment === 'number') key += `[${segment}]`;
    else key += key ? `.${String(segment)}` : String(segment);
  }
  return key || '(document)';
}

/** True when some principal of `access` is, or may match, a SageMaker execution role (what Studio calls Service Catalog as). */
export function reachesExecutionRoles(access: AccessSettings): boolean {
  return access.executionRoleArns.length > 0 || access.rolePatterns.some((p) => /SageMaker|ExecutionRole/i.test(p));
}
