import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { parse as parseYaml } from 'yaml';
import { FILE, VALID } from './portfolio-config-fixture';
import { DEFAULT_PORTFOLIO_CONFIG_FILE, parsePortfolioConfig, PortfolioConfigError } from '../product/portfolio-config';
import { PORTFOLIO_CONFIG_SCHEMA_FILE, renderPortfolioConfigJsonSchema } from '../product/portfolio-config-schema';

const FIXTURES_DIR = 'test/fixtures';
const ROLE_PATTERN_LINE = '    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*';
const PRINCIPALS = /  executionRoleArns:\n    - \S+\n  rolePatterns:\n    - \S+\n/;
const withEndpoint = (lines: string) => `${VALID}\nendpointProduct:\n  name: Endpoint\n  owner: Platform\n${lines}`;
const withProject = (lines: string) => `${VALID}\nproject:\n${lines}`;
const withPublishing = (lines: string) => `${VALID}\npublishing:\n${lines}`;

/** The published file (not the generated one), compiled by an independent validator as an editor would use it. */
function publishedSchemaValidator() {
  const schema = JSON.parse(fs.readFileSync(PORTFOLIO_CONFIG_SCHEMA_FILE, 'utf8'));
  // strict: an unknown keyword or a malformed schema is an error, not a silently ignored rule.
  return new Ajv({ strict: true, allErrors: true }).compile(schema);
}
const validate = publishedSchemaValidator();

function jsonSchemaErrors(text: string): string[] {
  return validate(parseYaml(text)) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

function readerError(text: string): PortfolioConfigError | undefined {
  try {
    parsePortfolioConfig(text, FILE);
    return undefined;
  } catch (err) {
    if (err instanceof PortfolioConfigError) return err;
    throw err;
  }
}

/** Every schema-level mistake, with the key the reader names: the JSON Schema must reject each one too. */
const MISTAKES: ReadonlyArray<[what: string, text: string, key: string]> = [
  ['an empty document', '', '(document)'],
  ['a list as the document', '- a\n', '(document)'],
  ['an unknown top-level key', `${VALID}\nportfolios: {}\n`, 'portfolios'],
  ['an unknown key in a section', VALID.replace('  owner: Platform\n', '  owner: Platform\n  ownr: typo\n'), 'product.ownr'],
  ['a misspelt required key', VALID.replace('  owner: Platform\n', '  ownr: Platform\n'), 'product.ownr'],
  ['a missing section', VALID.replace(/access:\n(  .*\n)+/, ''), 'access'],
  ['an empty section', VALID.replace(/access:\n(  .*\n)+/, 'access:\n'), 'access'],
  ['a list as a section', VALID.replace(/access:\n(  .*\n)+/, 'access: [a]\n'), 'access'],
  ['a missing required string', VALID.replace('  owner: Platform\n', ''), 'product.owner'],
  ['an empty required string', VALID.replace('  owner: Platform\n', '  owner:\n'), 'product.owner'],
  ['a blank string', VALID.replace('  owner: Platform\n', '  owner: "   "\n'), 'product.owner'],
  ['a number for a string', VALID.replace('versionLabel: v1', 'versionLabel: 1.0'), 'product.versionLabel'],
  ['a list for a string', VALID.replace('versionLabel: v1', 'versionLabel: [v1]'), 'product.versionLabel'],
  ['YAML infinity for a string', VALID.replace('versionLabel: v1', 'versionLabel: 1e999'), 'product.versionLabel'],
  ['a too long display name', VALID.replace('  displayName: Portfolio', `  displayName: ${'x'.repeat(101)}`), 'portfolio.displayName'],
  ['a too long display name in astral characters', VALID.replace('  displayName: Portfolio', `  displayName: ${'\u{1F600}'.repeat(101)}`), 'portfolio.displayName'],
  ['a malformed version label', VALID.replace('versionLabel: v1', 'versionLabel: "v 1"'), 'product.versionLabel'],
  ['an upper-case name qualifier', VALID.replace('  description: Templates\n', '  description: Templates\n  nameQualifier: Team-B\n'), 'portfolio.nameQualifier'],
  ['a string for a boolean', VALID.replace('  versionLabel: v1', '  versionLabel: v1\n  lockVersionLabel: "yes"'), 'product.lockVersionLabel'],
  ['a string for a list', VALID.replace(`  rolePatterns:\n${ROLE_PATTERN_LINE}`, '  rolePatterns: AWSReservedSSO_*'), 'access.rolePatterns'],
  ['an empty list entry', VALID.replace(ROLE_PATTERN_LINE, '    - ""'), 'access.rolePatterns[0]'],
  ['a null list entry', VALID.replace(ROLE_PATTERN_LINE, '    -'), 'access.rolePatterns[0]'],
  ['a duplicate role pattern', VALID.replace(ROLE_PATTERN_LINE, `${ROLE_PATTERN_LINE}\n${ROLE_PATTERN_LINE}`), 'access.rolePatterns[1]'],
  ['a duplicate previous version label', VALID.replace('  versionLabel: v1', '  versionLabel: v1\n  previousVersionLabels: [v0, v0]'), 'product.previousVersionLabels[1]'],
  ['a malformed role ARN', VALID.replace('arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole', 'arn:aws:iam::1234:user/alice'), 'access.executionRoleArns[0]'],
  ['an Identity Center pattern without its path', VALID.replace('aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*', 'AWSReservedSSO_DataScientist_*'), 'access.rolePatterns[0]'],
  ['no principal (empty lists)', VALID.replace(PRINCIPALS, '  executionRoleArns: []\n  rolePatterns: []\n'), 'access'],
  ['no principal (empty keys)', VALID.replace(PRINCIPALS, '  executionRoleArns:\n  rolePatterns:\n'), 'access'],
  ['no principal (an empty mapping)', VALID.replace(PRINCIPALS, '  {}\n').replace('access:\n  {}', 'access: {}'), 'access'],
  ['a reserved sagemaker: tag key', VALID.replace('  team: ml', '  sagemaker:project-id: x'), 'tags.sagemaker:project-id'],
  ['a reserved aws: tag key', VALID.replace('  team: ml', '  "aws:owner": x'), 'tags.aws:owner'],
  ['an invalid tag key character', VALID.replace('  team: ml', '  "a#b": x'), 'tags.a#b'],
  ['an invalid tag value character', VALID.replace('  team: ml', '  team: "a#b"'), 'tags.team'],
  ['a too long tag value', VALID.replace('  team: ml', `  team: ${'x'.repeat(257)}`), 'tags.team'],
  ['a list as a tag value', VALID.replace('  team: ml', '  team: [ml]'), 'tags.team'],
  ['an empty tag value', VALID.replace('  team: ml', '  team:'), 'tags.team'],
  ['a list as the tags', VALID.replace('tags:\n  team: ml', 'tags: [ml]'), 'tags'],
  ['an asset bucket without the sagemaker- prefix', `${VALID}\nassetBucketName: my-assets\n`, 'assetBucketName'],
  ['an empty asset bucket name', `${VALID}\nassetBucketName:\n`, 'assetBucketName'],
  ['an empty endpoint product', `${VALID}\nendpointProduct:\n`, 'endpointProduct'],
  ['an endpoint product without an owner', `${VALID}\nendpointProduct:\n  name: Endpoint\n  versionLabel: e1\n`, 'endpointProduct.owner'],
  ['an empty endpoint version label', withEndpoint('  versionLabel: ""\n'), 'endpointProduct.versionLabel'],
  ['an unknown project setting', withProject('  maxImages: 5\n'), 'project.maxImages'],
  ['an out-of-range image count', withProject('  maxImageCount: 0\n'), 'project.maxImageCount'],
  ['a fractional image count', withProject('  maxImageCount: 2.5\n'), 'project.maxImageCount'],
  ['a string image count', withProject('  maxImageCount: "5"\n'), 'project.maxImageCount'],
  ['YAML infinity as an image count', withProject('  maxImageCount: .inf\n'), 'project.maxImageCount'],
  ['an out-of-range expiration', withProject('  noncurrentVersionExpirationDays: 3651\n'), 'project.noncurrentVersionExpirationDays'],
  ['a string for a project flag', withProject('  deleteImagesWithProject: "no"\n'), 'project.deleteImagesWithProject'],
  ['an unknown publishing target', withPublishing('  targets: [s3]\n'), 'publishing.targets[0]'],
  ['no publishing target', withPublishing('  targets: []\n'), 'publishing.targets'],
  ['a duplicate publishing target', withPublishing('  targets: [s3Templates, s3Templates]\n'), 'publishing.targets[1]'],
  ['a string for the publishing targets', withPublishing('  targets: s3Templates\n'), 'publishing.targets'],
  ['an unknown publishing key', withPublishing('  target: [s3Templates]\n'), 'publishing.target'],
  ['a key prefix with a leading slash', withPublishing('  s3Templates:\n    keyPrefix: /templates/\n'), 'publishing.s3Templates.keyPrefix'],
  ['a key prefix without its trailing slash', withPublishing('  s3Templates:\n    keyPrefix: templates\n'), 'publishing.s3Templates.keyPrefix'],
  ['a key prefix with an empty folder', withPublishing('  s3Templates:\n    keyPrefix: a//b/\n'), 'publishing.s3Templates.keyPrefix'],
  ['an unknown s3Templates key', withPublishing('  s3Templates:\n    bucket: x\n'), 'publishing.s3Templates.bucket'],
];

/** Files the reader accepts, written in the ways YAML allows: the JSON Schema must accept each one too. */
const ACCEPTED: ReadonlyArray<[what: string, text: string]> = [
  ['the minimal file', VALID],
  ['empty optional keys', VALID.replace('  description: Templates\n', '  description:\n  nameQualifier:\n')
    .replace('  versionLabel: v1', '  versionLabel: v1\n  previousVersionLabels:\n  lockVersionLabel:')],
  ['empty tags', VALID.replace('tags:\n  team: ml', 'tags:')],
  ['numbers and booleans as tag values', VALID.replace('  team: ml', '  cost-center: 1234\n  shared: true')],
  ['a folded description', VALID.replace('  description: Templates', '  description: >\n    Folded\n    text\n')],
  ['only role patterns', VALID.replace(PRINCIPALS, `  rolePatterns:\n${ROLE_PATTERN_LINE}\n`)],
  ['only execution role ARNs', VALID.replace(PRINCIPALS, '  executionRoleArns:\n    - arn:aws-us-gov:iam::123456789012:role/Team\n')],
  ['60 astral characters in a 100-character name', VALID.replace('  displayName: Portfolio', `  displayName: ${'\u{1F600}'.repeat(60)}`)],
  ['an endpoint product and every project setting', withEndpoint('  versionLabel: e1\n  previousVersionLabels: [e0]\n  lockVersionLabel: true\n')
    + 'project:\n  deleteImagesWithProject: true\n  maxImageCount: 1000\n  noncurrentVersionExpirationDays: 1\n'],
  ['empty project settings', withProject('  maxImageCount:\n  deleteImagesWithProject:\n')],
  ['an asset bucket name', `${VALID}\nassetBucketName: sagemaker-my-assets\n`],
  ['both publishing targets and a nested key prefix', withPublishing('  targets: [serviceCatalog, s3Templates]\n  s3Templates:\n    keyPrefix: studio/templates/\n')],
  ['S3 templates only, with the default key prefix', withPublishing('  targets: [s3Templates]\n')],
  ['empty publishing keys', withPublishing('  targets:\n  s3Templates:\n    keyPrefix:\n')],
];

/** Every key below `node` that a file may hold, as dotted paths, with its schema. */
function keysOf(node: Record<string, any>, prefix = ''): Array<[key: string, schema: Record<string, any>]> {
  const keys: Array<[string, Record<string, any>]> = [];
  for (const [name, child] of Object.entries<Record<string, any>>(node.properties ?? {})) {
    const key = `${prefix}${name}`;
    keys.push([key, child]);
    const objects = [child, ...(child.anyOf ?? [])].filter((s) => s.type === 'object');
    for (const object of objects) keys.push(...keysOf(object, `${key}.`));
  }
  return keys;
}

describe('portfolio configuration JSON Schema', () => {
  test('the published schema is the one the zod schema generates (run `npx projen config:schema` after changing it)', () => {
    const published = fs.readFileSync(PORTFOLIO_CONFIG_SCHEMA_FILE, 'utf8');
    expect(published === renderPortfolioConfigJsonSchema()).toBe(true);
  });

  test('the configuration file and the test fixtures point editors at the published schema', () => {
    const files = [DEFAULT_PORTFOLIO_CONFIG_FILE, ...fs.readdirSync(FIXTURES_DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(FIXTURES_DIR, f))];
    for (const file of files) {
      const modeline = /^# yaml-language-server: \$schema=(\S+)\n/.exec(fs.readFileSync(file, 'utf8'));
      expect({ file, schema: modeline && path.normalize(path.join(path.dirname(file), modeline[1])) })
        .toEqual({ file, schema: path.normalize(PORTFOLIO_CONFIG_SCHEMA_FILE) });
    }
  });

  test('the configuration file and the test fixtures are valid against the published schema', () => {
    const files = [DEFAULT_PORTFOLIO_CONFIG_FILE, ...fs.readdirSync(FIXTURES_DIR).filter((f) => /\.ya?ml$/.test(f)).map((f) => path.join(FIXTURES_DIR, f))];
    expect(files.length).toBeGreaterThan(1);
    for (const file of files) {
      expect({ file, errors: jsonSchemaErrors(fs.readFileSync(file, 'utf8')) }).toEqual({ file, errors: [] });
    }
  });

  test.each(MISTAKES)('rejects %s, as the reader does', (_what, text, key) => {
    expect(readerError(text)?.key).toBe(key);
    expect(jsonSchemaErrors(text)).not.toEqual([]);
  });

  test.each(ACCEPTED)('accepts %s, as the reader does', (_what, text) => {
    expect(readerError(text)).toBeUndefined();
    expect(jsonSchemaErrors(text)).toEqual([]);
  });

  test('a previous version label equal to the current one is the one check the JSON Schema cannot carry', () => {
    // Comparing two values of the file needs $data, which is no part of draft-07: only synth catches this.
    const repeated = VALID.replace('  versionLabel: v1', '  versionLabel: v1\n  previousVersionLabels: [v1]');
    expect(readerError(repeated)?.key).toBe('product.previousVersionLabels');
    expect(jsonSchemaErrors(repeated)).toEqual([]);
  });

  test('every key has a description for editors to show', () => {
    const schema = JSON.parse(fs.readFileSync(PORTFOLIO_CONFIG_SCHEMA_FILE, 'utf8'));
    const keys = keysOf(schema);
    expect(keys.map(([key]) => key)).toEqual(expect.arrayContaining(['portfolio.nameQualifier', 'endpointProduct.versionLabel', 'tags', 'project.maxImageCount',
      'publishing.targets', 'publishing.s3Templates.keyPrefix']));
    expect(keys.filter(([, child]) => typeof child.description !== 'string' || child.description.length < 10).map(([key]) => key)).toEqual([]);
  });
});
