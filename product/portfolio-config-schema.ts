import * as fs from 'fs';
import { z } from 'zod';
import { CONNECTION_ARN_PATTERN, GIT_BRANCH_MAX_LENGTH, GIT_BRANCH_PATTERN } from './sagemaker-project';

/**
 * What `config/portfolio.yaml` may hold: one zod schema that both reads the file (with the one-line
 * message for each mistake) and yields the JSON Schema published beside it for editors.
 *
 * Every check is expressed so that the JSON Schema keeps it (patterns, lengths, ranges, uniqueItems,
 * a principal required). The only check it cannot carry is the cross-field one: a product's
 * previousVersionLabels must not repeat its versionLabel (draft-07 cannot compare two values).
 */

/** The published JSON Schema, referenced from the configuration file's `yaml-language-server` modeline. */
export const PORTFOLIO_CONFIG_SCHEMA_FILE = 'config/portfolio.schema.json';

/** The qualifier of a configuration that sets none. */
export const DEFAULT_NAME_QUALIFIER = 'main';

export const DEFAULT_PROJECT_SETTINGS = {
  deleteImagesWithProject: false,
  maxImageCount: 20,
  noncurrentVersionExpirationDays: 30,
} as const;

// The JSON Schema keeps these as `pattern`s, which ajv and the YAML language server compile with the u flag
// (yaml-language-server src/languageservice/utils/strings.ts, safeCreateUnicodeRegExp): each must be valid with it.
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// IAM role names allow [\w+=,.@-]; patterns add the * and ? wildcards (and path slashes).
const ROLE_PATTERN = /^[\w+=,.@/*?-]{1,512}$/;
// Identity Center roles live under /aws-reserved/sso.amazonaws.com/: a pattern without that path never matches.
const NOT_BARE_IDENTITY_CENTER_ROLE = /^(?!AWSReservedSSO_)/;
// Lower case: it is part of the S3 asset bucket name.
const NAME_QUALIFIER = /^[a-z0-9]{1,12}$/;
const VERSION_LABEL = /^[\w.+-]{1,100}$/;
const BUCKET_NAME = /^sagemaker-[a-z0-9][a-z0-9.-]{0,51}[a-z0-9]$/;
// aws: is reserved; values follow the CloudFormation tag rules.
const TAG_KEY = /^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const NOT_SAGEMAKER_TAG_KEY = /^(?!sagemaker:)/;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;
// The product template's own launch-parameter patterns (sagemaker-project.ts), so a default the file sets is one the launch accepts.
const CONNECTION_ARN = new RegExp(CONNECTION_ARN_PATTERN);
const GIT_BRANCH = new RegExp(GIT_BRANCH_PATTERN);

/** Where a product's repositories are hosted. */
export const SOURCE_PROVIDERS = ['codecommit', 'codeconnections'] as const;
export const DEFAULT_SOURCE = { provider: 'codecommit', branch: 'main' } as const;

/** How a message names a value the file holds (YAML parsed to plain data). */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  // String(), not JSON.stringify: YAML's .inf and 1e999 are numbers JSON would print as null.
  return typeof value === 'string' ? `string ${JSON.stringify(value)}` : `${typeof value} ${String(value)}`;
}

const isAbsent = (value: unknown): boolean => value === undefined || value === null;

// Characters as JSON Schema's maxLength counts them (code points), not UTF-16 units.
const characterCount = (value: string): number => [...value].length;

interface TextRules {
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** What a valid value is, for the message `"<value>" is not <hint>`. */
  readonly hint?: string;
}

/** A required string, trimmed; "   " is empty. */
function text(rules: TextRules = {}) {
  let schema = z.string({
    error: (issue) => isAbsent(issue.input) ? 'is missing (expected a string)' : `must be a string, got ${describeValue(issue.input)}`,
  }).trim()
    // \S, not minLength 1: the JSON Schema sees the untrimmed value.
    .regex(/\S/, { error: 'must not be empty' });
  const { maxLength, pattern, hint } = rules;
  if (maxLength !== undefined) {
    schema = schema.refine((value) => characterCount(value) <= maxLength, {
      error: (issue) => `must be at most ${maxLength} characters, got ${characterCount(issue.input as string)}`,
    }).meta({ maxLength });
  }
  if (pattern) {
    schema = schema.regex(pattern, { error: (issue) => `"${issue.input as string}" is not ${hint ?? `valid (${pattern})`}` });
  }
  return schema;
}

/** An optional key: absent or empty (`key:`) gives `fallback`. */
function withDefault<T extends z.ZodType>(schema: T, fallback: z.core.util.NoUndefined<z.output<T>>) {
  return schema.nullable().default(fallback).transform((value) => value ?? fallback);
}

/** A list of distinct strings (after trimming); absent or empty gives []. */
function distinctTexts(item: ReturnType<typeof text>) {
  const list = z.array(item, { error: (issue) => `must be a list, got ${describeValue(issue.input)}` })
    .superRefine((values, ctx) => {
      values.forEach((value, index) => {
        if (values.indexOf(value) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate entry "${value}"` });
      });
    })
    .meta({ uniqueItems: true });
  return withDefault(list, []);
}

function flag(fallback = false) {
  return withDefault(z.boolean({ error: (issue) => `must be true or false, got ${describeValue(issue.input)}` }), fallback);
}

function wholeNumber(min: number, max: number, fallback: number) {
  const range = { error: (issue: { input?: unknown }) => `must be between ${min} and ${max}, got ${String(issue.input)}` };
  return withDefault(z.int({ error: (issue) => `must be a whole number, got ${describeValue(issue.input)}` })
    .min(min, range).max(max, range), fallback);
}

/** A mapping that allows only `shape`'s keys and names them when another appears. */
function section<T extends z.ZodRawShape>(shape: T) {
  const allowed = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) => {
      if (issue.code === 'unrecognized_keys') return `unknown key (allowed here: ${allowed})`;
      return isAbsent(issue.input) ? 'is missing (expected a mapping)' : 'must be a mapping of keys to values';
    },
  });
}

/**
 * The Git provider of one product. codecommit (the default): each launch creates its two CodeCommit repositories.
 * codeconnections: the launch asks for a connection ARN, the two repositories (owner/name) and the branch.
 */
const sourceSchema = section({
  provider: withDefault(z.enum(SOURCE_PROVIDERS, {
    error: (issue) => `must be one of ${SOURCE_PROVIDERS.join(', ')}, got ${describeValue(issue.input)}`,
  }), DEFAULT_SOURCE.provider).describe('codecommit: each launch creates two CodeCommit repositories. codeconnections: the '
    + 'repositories live on GitHub, GitHub Enterprise Server, GitLab or Bitbucket and are reached through a CodeConnections connection.'),
  connectionArn: text({
    pattern: CONNECTION_ARN, hint: 'a connection ARN such as arn:aws:codeconnections:eu-west-1:123456789012:connection/<id>',
  }).optional().describe('codeconnections only: the connection the launch form offers by default (the data scientist may enter another).'),
  branch: withDefault(text({ maxLength: GIT_BRANCH_MAX_LENGTH, pattern: GIT_BRANCH, hint: 'a branch name such as main' }), DEFAULT_SOURCE.branch)
    .describe('codeconnections only: the branch the launch form offers by default; the pipelines build it and the seed is committed to it.'),
}).superRefine((source, ctx) => {
  if (source.provider === 'codecommit' && source.connectionArn !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['connectionArn'], message: 'applies only with provider: codeconnections' });
  }
});

const versionLabel = text({ pattern: VERSION_LABEL, hint: 'letters, digits, . _ + -' });

const productSchema = section({
  name: text({ maxLength: 8191 }).describe('Product name shown in Studio\'s template list (Service Catalog product name).'),
  owner: text({ maxLength: 8191 }).describe('Product owner shown in Studio\'s template list.'),
  description: withDefault(text({ maxLength: 8191 }), '').describe('Product description shown in Studio.'),
  versionLabel: versionLabel.describe('Label of the version this deploy publishes; bump it whenever the product template changes.'),
  previousVersionLabels: distinctTexts(versionLabel)
    .describe('Earlier published labels kept launchable (their templates are kept in product-stack-snapshots/).'),
  lockVersionLabel: flag()
    .describe('true makes synth fail when the template changes without a new versionLabel; set it once a label is published.'),
  source: sourceSchema.prefault({})
    .describe('Git provider of the product\'s repositories: CodeCommit (default) or a CodeConnections connection (GitHub, GitLab, Bitbucket).'),
}).superRefine((product, ctx) => {
  if (product.previousVersionLabels.includes(product.versionLabel)) {
    ctx.addIssue({ code: 'custom', path: ['previousVersionLabels'], message: `must not repeat the current versionLabel "${product.versionLabel}"` });
  }
});

/** A non-empty list of this key, in JSON Schema: what "some principal is configured" means. */
const nonEmptyList = (key: string) => ({ required: [key], properties: { [key]: { type: 'array', minItems: 1 } } });

/**
 * Who may launch. Studio calls Service Catalog as the user's SageMaker execution role, so a
 * portfolio without any principal is invisible, and an Identity Center role (under the path
 * /aws-reserved/sso.amazonaws.com/) is matched by an IAM_PATTERN only with that path.
 */
const accessSchema = section({
  executionRoleArns: distinctTexts(text({
    pattern: ROLE_ARN, hint: 'an IAM role ARN such as arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20260101T000000',
  })).describe('SageMaker execution roles (ARNs) that may see and launch the templates: Studio calls Service Catalog as the '
    + 'execution role (Studio domain -> user profile -> Execution role).'),
  rolePatterns: distinctTexts(text({
    pattern: ROLE_PATTERN, hint: 'an IAM role pattern with its path, such as service-role/AmazonSageMaker-ExecutionRole-*',
  }).regex(NOT_BARE_IDENTITY_CENTER_ROLE, {
    error: (issue) => `"${issue.input as string}" can never match: IAM Identity Center roles live under the path `
      + `/aws-reserved/sso.amazonaws.com/; write aws-reserved/sso.amazonaws.com/*${issue.input as string}`,
  })).describe('IAM_PATTERN principals: role path and name with the wildcards * and ?, e.g. '
    + 'service-role/AmazonSageMaker-ExecutionRole-* or, for Identity Center roles, aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*.'),
}).superRefine((access, ctx) => {
  if (access.executionRoleArns.length === 0 && access.rolePatterns.length === 0) {
    ctx.addIssue({
      code: 'custom',
      message: 'no principal can see the template: list the SageMaker execution roles of your Studio users in '
        + 'executionRoleArns, or a pattern such as service-role/AmazonSageMaker-ExecutionRole-* in rolePatterns '
        + '(Studio calls Service Catalog as the execution role)',
    });
  }
}).meta({ anyOf: [nonEmptyList('executionRoleArns'), nonEmptyList('rolePatterns')] });

const projectSchema = section({
  deleteImagesWithProject: flag(DEFAULT_PROJECT_SETTINGS.deleteImagesWithProject)
    .describe('Delete a project\'s ECR repository and its images with the project (false: images outlive the project).'),
  maxImageCount: wholeNumber(1, 1000, DEFAULT_PROJECT_SETTINGS.maxImageCount).describe('Inference images kept per project (older ones expire).'),
  noncurrentVersionExpirationDays: wholeNumber(1, 3650, DEFAULT_PROJECT_SETTINGS.noncurrentVersionExpirationDays)
    .describe('Days a replaced or deleted object version stays in the project\'s artifact bucket.'),
});

const tagsSchema = z.record(
  z.string()
    .regex(TAG_KEY, { error: 'is not a valid tag key (1-128 characters, must not start with "aws:")' })
    .regex(NOT_SAGEMAKER_TAG_KEY, { error: 'the sagemaker: prefix is reserved for SageMaker Projects tags' }),
  // Numbers and booleans are written as tag values in their YAML spelling (`cost-center: 1234`).
  z.union([z.string().regex(TAG_VALUE, { error: 'is not a valid tag value (at most 256 characters)' }), z.number(), z.boolean()], {
    error: (issue) => `must be a string, got ${describeValue(issue.input)}`,
  }).transform(String),
  {
    error: (issue) => issue.code === 'invalid_key'
      ? issue.issues[0]?.message ?? 'is not a valid tag key'
      : `must be a mapping of tag keys to values, got ${describeValue(issue.input)}`,
  },
);

/** Where synth publishes the product templates: Service Catalog products, Studio's S3 templates, or both. */
export const PUBLISHING_TARGETS = ['serviceCatalog', 's3Templates'] as const;
export type PublishingTarget = typeof PUBLISHING_TARGETS[number];

export const DEFAULT_S3_TEMPLATES_KEY_PREFIX = 'sagemaker-project-templates/';

// A folder of the asset bucket: S3 key characters AWS calls safe, ending in "/", no leading "/" and no empty segment
// (the domain tag is s3://<bucket>/<prefix>; Amazon S3 User Guide, "Naming Amazon S3 objects": safe characters).
const KEY_PREFIX = /^([A-Za-z0-9!_.*'()-]+\/){1,10}$/;

const publishingTarget = z.enum(PUBLISHING_TARGETS, {
  error: (issue) => `${isAbsent(issue.input) ? 'an empty entry' : describeValue(issue.input)} is not a publishing target `
    + `(one of ${PUBLISHING_TARGETS.join(', ')})`,
});

/**
 * How the product templates reach Studio. Service Catalog (the default) needs nothing else; S3 templates put each
 * product template, as YAML, under `s3Templates.keyPrefix` of the asset bucket for the domain tag
 * sagemaker:projectS3TemplatesLocation to point at (README: "Service Catalog or S3 templates").
 */
const publishingSchema = section({
  targets: withDefault(
    z.array(publishingTarget, { error: (issue) => `must be a list, got ${describeValue(issue.input)}` })
      .min(1, { error: `must name at least one target (${PUBLISHING_TARGETS.join(', ')})` })
      .superRefine((values, ctx) => {
        values.forEach((value, index) => {
          if (values.indexOf(value) !== index) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate entry "${value}"` });
        });
      })
      .meta({ uniqueItems: true }),
    ['serviceCatalog'],
  ).describe('serviceCatalog (a portfolio and its products), s3Templates (YAML templates in S3 that Studio lists '
    + 'without Service Catalog), or both.'),
  s3Templates: section({
    keyPrefix: withDefault(text({ pattern: KEY_PREFIX, hint: 'a key prefix such as sagemaker-project-templates/ (ending in /, no leading /)' }),
      DEFAULT_S3_TEMPLATES_KEY_PREFIX)
      .describe('Folder of the asset bucket holding the templates: the domain tag sagemaker:projectS3TemplatesLocation '
        + 'points at s3://<asset bucket>/<keyPrefix>.'),
  }).prefault({}).describe('Settings of the s3Templates target.'),
});

export const PORTFOLIO_CONFIG_SCHEMA = section({
  portfolio: section({
    displayName: text({ maxLength: 100 }).describe('Portfolio name shown in Service Catalog.'),
    providerName: text({ maxLength: 50 }).describe('Portfolio provider shown in Service Catalog.'),
    description: withDefault(text({ maxLength: 2000 }), '').describe('Portfolio description.'),
    nameQualifier: withDefault(text({ pattern: NAME_QUALIFIER, hint: '1-12 lower-case letters or digits' }), DEFAULT_NAME_QUALIFIER)
      .describe('Part of every account-wide name the portfolio creates (launch role, permissions boundary, asset bucket, stack): '
        + 'give each configuration deployed in the same account and region its own. 1-12 lower-case letters or digits.'),
  }).describe('The Service Catalog portfolio that Studio lists the templates from.'),
  product: productSchema.describe('The Lambda product (API Gateway HTTP API + Lambda container image).'),
  endpointProduct: productSchema.optional()
    .describe('The SageMaker endpoint product (serverless or real-time), with the same keys as product; omit it to publish only the Lambda product.'),
  access: accessSchema.describe('Who may see and launch the templates: at least one execution role ARN or role pattern.'),
  project: projectSchema.prefault({})
    .describe('Settings baked into the product templates: they apply to every project launched from them.'),
  tags: withDefault(tagsSchema, {}).describe('Extra tags on the portfolio stack\'s resources and on every resource a launch creates '
    + '(the aws: and sagemaker: prefixes are reserved).'),
  publishing: publishingSchema.prefault({})
    .describe('Where the product templates are published: Service Catalog (default), S3 templates, or both.'),
  assetBucketName: text({
    pattern: BUCKET_NAME, hint: 'a literal S3 bucket name starting with "sagemaker-" (3-63 lower-case characters)',
  }).optional().describe('Literal name of the bucket holding the products\' file assets (seed code); '
    + 'default sagemaker-si-<nameQualifier>-assets-<account>-<region>.'),
}).describe('SageMaker project templates portfolio configuration (config/portfolio.yaml).');

/**
 * The JSON Schema of the file, as editors read it: draft-07, the draft the YAML language server
 * (VS Code's YAML extension) supports (redhat-developer/vscode-yaml README, "The schema support is
 * shipped with JSON Schema Draft 7"); `io: 'input'` describes what the file holds, before defaults.
 */
function portfolioConfigJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(PORTFOLIO_CONFIG_SCHEMA, { target: 'draft-7', io: 'input' });
}

/** The published file's exact text. */
export function renderPortfolioConfigJsonSchema(): string {
  return `${JSON.stringify(portfolioConfigJsonSchema(), null, 2)}\n`;
}

// `npx projen config:schema` runs this file to rewrite the published schema.
if (require.main === module) {
  fs.writeFileSync(PORTFOLIO_CONFIG_SCHEMA_FILE, renderPortfolioConfigJsonSchema());
  console.log(`wrote ${PORTFOLIO_CONFIG_SCHEMA_FILE}`);
}
