import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { FILE, VALID } from './portfolio-config-fixture';
import { DEFAULT_PORTFOLIO_CONFIG_FILE, loadPortfolioConfig, parsePortfolioConfig, PortfolioConfigError } from '../product/portfolio-config';


/** The message must name the file and the dotted key, and carry no stack trace. */
function expectConfigError(text: string, key: string, fragment: RegExp): void {
  let caught: unknown;
  try {
    parsePortfolioConfig(text, FILE);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(PortfolioConfigError);
  const message = (caught as Error).message;
  expect(message.startsWith(`${FILE}: ${key}: `)).toBe(true);
  expect(message).toMatch(fragment);
  expect(message).not.toMatch(/\n\s+at /);
}

describe('portfolio configuration', () => {
  test('the default configuration file is valid', () => {
    const config = loadPortfolioConfig(DEFAULT_PORTFOLIO_CONFIG_FILE);
    expect(config.product.versionLabel).toMatch(/\S/);
    expect(config.access.rolePatterns.length + config.access.executionRoleArns.length).toBeGreaterThan(0);
  });

  test('a valid file is read into typed settings with defaults for optional keys', () => {
    const config = parsePortfolioConfig(VALID, FILE);
    expect(config).toEqual({
      portfolio: { displayName: 'Portfolio', providerName: 'Platform', description: 'Templates', nameQualifier: 'main' },
      product: {
        name: 'Product',
        owner: 'Platform',
        description: 'The product',
        versionLabel: 'v1',
        previousVersionLabels: [],
        lockVersionLabel: false,
        source: { provider: 'codecommit', branch: 'main' },
      },
      access: {
        executionRoleArns: ['arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole'],
        rolePatterns: ['aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*'],
      },
      project: { deleteImagesWithProject: false, maxImageCount: 20, noncurrentVersionExpirationDays: 30 },
      tags: { team: 'ml' },
      publishing: { targets: ['serviceCatalog'], s3Templates: { keyPrefix: 'sagemaker-project-templates/' } },
      assetBucketName: undefined,
    });
  });

  test('publishing.targets chooses Service Catalog, S3 templates or both, and names an unknown target with the choices', () => {
    const publishing = (lines: string) => parsePortfolioConfig(`${VALID}\npublishing:\n${lines}`, FILE).publishing;
    expect(publishing('  targets: [s3Templates]\n')).toEqual({ targets: ['s3Templates'], s3Templates: { keyPrefix: 'sagemaker-project-templates/' } });
    expect(publishing('  targets: [serviceCatalog, s3Templates]\n  s3Templates:\n    keyPrefix: studio/templates/\n'))
      .toEqual({ targets: ['serviceCatalog', 's3Templates'], s3Templates: { keyPrefix: 'studio/templates/' } });
    expectConfigError(`${VALID}\npublishing:\n  targets: [serviceCatalog, s3]\n`, 'publishing.targets[1]',
      /^portfolio\.yaml: publishing\.targets\[1\]: string "s3" is not a publishing target \(one of serviceCatalog, s3Templates\)$/);
    expectConfigError(`${VALID}\npublishing:\n  targets: []\n`, 'publishing.targets', /must name at least one target/);
  });

  test('publishing.s3Templates.keyPrefix must be a folder: no leading slash, a trailing one', () => {
    expectConfigError(`${VALID}\npublishing:\n  s3Templates:\n    keyPrefix: /templates\n`, 'publishing.s3Templates.keyPrefix',
      /"\/templates" is not a key prefix such as sagemaker-project-templates\/ \(ending in \/, no leading \/\)$/);
  });

  test('fails when no principal could see the template, naming the execution roles Studio uses', () => {
    const none = VALID.replace(/  executionRoleArns:\n    - \S+\n  rolePatterns:\n    - \S+\n/, '  executionRoleArns: []\n  rolePatterns: []\n');
    expect(none).not.toEqual(VALID);
    expectConfigError(none, 'access', /no principal can see the template.*execution role/);
  });

  test('fails on an Identity Center pattern without its /aws-reserved/sso.amazonaws.com/ path, giving the fix', () => {
    expectConfigError(VALID.replace('aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*', 'AWSReservedSSO_DataScientist_*'),
      'access.rolePatterns[0]', /can never match.*aws-reserved\/sso\.amazonaws\.com\/\*AWSReservedSSO_DataScientist_\*/);
  });

  test('portfolio.nameQualifier defaults to main and must be short lower-case alphanumerics', () => {
    expect(parsePortfolioConfig(VALID, FILE).portfolio.nameQualifier).toBe('main');
    const withQualifier = VALID.replace('  description: Templates\n', '  description: Templates\n  nameQualifier: teamb\n');
    expect(parsePortfolioConfig(withQualifier, FILE).portfolio.nameQualifier).toBe('teamb');
    expectConfigError(withQualifier.replace('teamb', 'Team-B'), 'portfolio.nameQualifier', /1-12 lower-case letters or digits/);
  });

  test('fails on YAML syntax errors, naming the line', () => {
    expectConfigError(VALID.replace('  name: Product', '  name: [unclosed'), '(YAML syntax)', /line \d+/);
  });

  test('fails on a second YAML document, saying what to change in the file', () => {
    expectConfigError(`${VALID}\n---\n${VALID}`, '(YAML syntax)', /more than one YAML document.*keep a single document \(line \d+/);
  });

  test('fails on a duplicated key', () => {
    expectConfigError(VALID.replace('  owner: Platform\n', '  owner: Platform\n  owner: Other\n'), '(YAML syntax)', /unique|duplicate/i);
  });

  test('fails on an unknown key, listing the allowed ones', () => {
    expectConfigError(VALID.replace('  owner: Platform\n', '  owner: Platform\n  ownr: typo\n'), 'product.ownr', /unknown key.*owner/);
  });

  test('reports a misspelt key as unknown rather than the key it was meant to be as missing', () => {
    expectConfigError(VALID.replace('  owner: Platform\n', '  ownr: Platform\n'), 'product.ownr',
      /^portfolio\.yaml: product\.ownr: unknown key \(allowed here: name, owner, description, versionLabel, previousVersionLabels, lockVersionLabel, source\)$/);
  });

  test('fails on a section left empty, naming the section', () => {
    expectConfigError(VALID.replace(/access:\n(  .*\n)+/, 'access:\n'), 'access', /: is missing \(expected a mapping\)$/);
  });

  test('trims values, and a value of blanks is empty', () => {
    const padded = VALID.replace('  owner: Platform\n', '  owner: "  Platform  "\n');
    expect(parsePortfolioConfig(padded, FILE).product.owner).toBe('Platform');
    expectConfigError(VALID.replace('  owner: Platform\n', '  owner: "   "\n'), 'product.owner', /: must not be empty$/);
  });

  test('counts lengths in characters, as editors and the JSON Schema do, not UTF-16 units', () => {
    const emoji = '\u{1F600}';
    expect(parsePortfolioConfig(VALID.replace('displayName: Portfolio', `displayName: ${emoji.repeat(100)}`), FILE).portfolio.displayName)
      .toBe(emoji.repeat(100));
    expectConfigError(VALID.replace('displayName: Portfolio', `displayName: ${emoji.repeat(101)}`), 'portfolio.displayName',
      /: must be at most 100 characters, got 101$/);
  });

  test('writes numbers and booleans given as tag values in their YAML spelling, and rejects other kinds', () => {
    const tags = parsePortfolioConfig(VALID.replace('  team: ml', '  cost-center: 1234\n  shared: true'), FILE).tags;
    expect(tags).toEqual({ 'cost-center': '1234', 'shared': 'true' });
    expectConfigError(VALID.replace('  team: ml', '  team: [ml]'), 'tags.team', /: must be a string, got a list$/);
    expectConfigError(VALID.replace('  team: ml', '  team: "a#b"'), 'tags.team', /: is not a valid tag value/);
  });

  test('fails on an unknown top-level key', () => {
    expectConfigError(`${VALID}\nportfolios: {}\n`, 'portfolios', /unknown key/);
  });

  test('fails when a required section is missing', () => {
    expectConfigError(VALID.replace(/access:\n(  .*\n)+/, ''), 'access', /is missing/);
  });

  test('fails on a wrong type', () => {
    expectConfigError(VALID.replace('versionLabel: v1', 'versionLabel: [v1]'), 'product.versionLabel', /must be a string, got a list/);
    expectConfigError(VALID.replace('  rolePatterns:\n    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*', '  rolePatterns: AWSReservedSSO_*'), 'access.rolePatterns', /must be a list/);
    expectConfigError(`${VALID.replace('  versionLabel: v1', '  versionLabel: v1\n  lockVersionLabel: "yes"')}`, 'product.lockVersionLabel', /true or false/);
    // An unquoted 1e999 is YAML's infinity: the message shows it, not JSON's "null".
    expectConfigError(VALID.replace('versionLabel: v1', 'versionLabel: 1e999'), 'product.versionLabel', /must be a string, got number Infinity$/);
  });

  test('fails on a malformed role ARN', () => {
    expectConfigError(VALID.replace('arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole', 'arn:aws:iam::1234:user/alice'),
      'access.executionRoleArns[0]', /is not an IAM role ARN/);
  });

  test('fails on an empty role pattern', () => {
    expectConfigError(VALID.replace('    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*', '    - ""'), 'access.rolePatterns[0]', /must not be empty/);
  });

  test('fails on a duplicate principal', () => {
    expectConfigError(VALID.replace('    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*', '    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*\n    - aws-reserved/sso.amazonaws.com/*AWSReservedSSO_DataScientist_*'),
      'access.rolePatterns[1]', /duplicate entry/);
    const arn = 'arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole';
    expectConfigError(VALID.replace(`    - ${arn}`, `    - ${arn}\n    - ${arn}`), 'access.executionRoleArns[1]', /duplicate entry/);
  });

  test('fails on reserved or invalid tag keys', () => {
    expectConfigError(VALID.replace('  team: ml', '  sagemaker:project-id: x'), 'tags.sagemaker:project-id', /reserved/);
    expectConfigError(VALID.replace('  team: ml', '  "aws:owner": x'), 'tags.aws:owner', /tag key/);
  });

  test('fails on an asset bucket name without the sagemaker- prefix', () => {
    expectConfigError(`${VALID}\nassetBucketName: my-assets\n`, 'assetBucketName', /starting with "sagemaker-"/);
  });

  test('fails when the current version label is also listed as a previous one', () => {
    expectConfigError(VALID.replace('  versionLabel: v1', '  versionLabel: v1\n  previousVersionLabels: [v1]'), 'product.previousVersionLabels', /must not repeat/);
  });

  test('reads the optional endpoint product with the same rules as the product', () => {
    const withEndpoint = `${VALID}\nendpointProduct:\n  name: Endpoint\n  owner: Platform\n  versionLabel: e1\n`;
    expect(parsePortfolioConfig(withEndpoint, FILE).endpointProduct).toMatchObject({ name: 'Endpoint', versionLabel: 'e1' });
    expectConfigError(withEndpoint.replace('  versionLabel: e1', '  versionLabel: ""'), 'endpointProduct.versionLabel', /must not be empty/);
    expectConfigError(withEndpoint.replace('  owner: Platform\n  versionLabel: e1', '  versionLabel: e1'), 'endpointProduct.owner', /is missing/);
  });

  test('reads project settings and rejects out-of-range or non-integer values', () => {
    const withProject = `${VALID}\nproject:\n  deleteImagesWithProject: true\n  maxImageCount: 5\n`;
    expect(parsePortfolioConfig(withProject, FILE).project)
      .toEqual({ deleteImagesWithProject: true, maxImageCount: 5, noncurrentVersionExpirationDays: 30 });
    expectConfigError(withProject.replace('maxImageCount: 5', 'maxImageCount: 0'), 'project.maxImageCount', /between 1 and 1000, got 0/);
    expectConfigError(withProject.replace('maxImageCount: 5', 'maxImageCount: 2.5'), 'project.maxImageCount', /whole number/);
    expectConfigError(withProject.replace('maxImageCount: 5', 'maxImageCount: "5"'), 'project.maxImageCount', /whole number, got string/);
  });

  test('fails clearly when the file does not exist', () => {
    const missing = path.join(os.tmpdir(), 'no-such-portfolio.yaml');
    expect(fs.existsSync(missing)).toBe(false);
    expect(() => loadPortfolioConfig(missing)).toThrow(`${missing}: (file): cannot be read (ENOENT)`);
  });
  test('reads a CodeConnections source with its launch-form defaults', () => {
    const arn = 'arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
    const config = parsePortfolioConfig(VALID.replace('  versionLabel: v1\n',
      `  versionLabel: v1\n  source:\n    provider: codeconnections\n    connectionArn: ${arn}\n    branch: trunk\n`), FILE);
    expect(config.product.source).toEqual({ provider: 'codeconnections', connectionArn: arn, branch: 'trunk' });
  });

  test('fails on an unknown Git provider, naming the two it accepts', () => {
    expectConfigError(VALID.replace('  versionLabel: v1\n', '  versionLabel: v1\n  source:\n    provider: github\n'),
      'product.source.provider', /must be one of codecommit, codeconnections, got string "github"/);
  });

  test('fails on a connection ARN that is not one, and on a connection given to a CodeCommit product', () => {
    expectConfigError(VALID.replace('  versionLabel: v1\n',
      '  versionLabel: v1\n  source:\n    provider: codeconnections\n    connectionArn: arn:aws:codecommit:eu-west-1:123456789012:repo\n'),
    'product.source.connectionArn', /is not a connection ARN such as arn:aws:codeconnections:/);
    expectConfigError(VALID.replace('  versionLabel: v1\n',
      '  versionLabel: v1\n  source:\n    connectionArn: arn:aws:codeconnections:eu-west-1:123456789012:connection/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d\n'),
    'product.source.connectionArn', /applies only with provider: codeconnections/);
  });

  test('fails on a branch a shell would read as an option', () => {
    expectConfigError(VALID.replace('  versionLabel: v1\n', '  versionLabel: v1\n  source:\n    provider: codeconnections\n    branch: --force\n'),
      'product.source.branch', /"--force" is not a branch name such as main/);
  });
});
