import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import { TEST_CONFIG_FILE, TEST_ENV } from './synthesized-app';
import { defaultAssetBucketName, PORTFOLIO_STACK_BASE_NAME, portfolioNames } from '../product/portfolio-names';
import { createProductApp } from '../product/product-app';

/** The longest region name in any partition (ap-southeast-7, us-isob-east-1, ...) and the longest qualifier. */
const LONGEST_REGION = 'us-isob-east-1-x';
const LONGEST_QUALIFIER = 'q'.repeat(12);

describe('portfolio names', () => {
  test('the launch role and boundary names differ per region and per qualifier (several portfolios per account)', () => {
    const names = [['main', 'eu-west-1'], ['main', 'us-east-1'], ['teamb', 'eu-west-1']]
      .map(([q, region]) => [portfolioNames(q, region).launchRole, portfolioNames(q, region).permissionsBoundary]);
    expect(new Set(names.flat()).size).toBe(6);
  });

  test('every name fits its IAM or S3 limit at the longest qualifier and region', () => {
    const names = portfolioNames(LONGEST_QUALIFIER, LONGEST_REGION);
    expect(names.launchRole.length).toBeLessThanOrEqual(64);
    expect(names.permissionsBoundary.length).toBeLessThanOrEqual(128);
    expect(defaultAssetBucketName(LONGEST_QUALIFIER, '123456789012', LONGEST_REGION).length).toBeLessThanOrEqual(63);
  });

  test('the default configuration keeps the stack name; others get their own stack', () => {
    expect(portfolioNames('main', 'eu-west-1').stack).toBe(PORTFOLIO_STACK_BASE_NAME);
    expect(portfolioNames('teamb', 'eu-west-1').stack).toBe(`${PORTFOLIO_STACK_BASE_NAME}-teamb`);
  });

  test('a configuration whose principals cannot be SageMaker execution roles synthesizes with a warning naming the fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portfolio-names-'));
    try {
      const file = path.join(dir, 'portfolio.yaml');
      const text = fs.readFileSync(TEST_CONFIG_FILE, 'utf8')
        .replace(/  executionRoleArns:\n(    - .*\n)+/, '  executionRoleArns: []\n');
      fs.writeFileSync(file, text);
      const { stack } = createProductApp({
        configFile: file, appProps: { outdir: path.join(dir, 'cdk.out') }, snapshotDirectory: path.join(dir, 'snapshots'), ...TEST_ENV,
      });
      Annotations.fromStack(stack).hasWarning('*', Match.stringLikeRegexp("Studio calls Service Catalog as the user's execution role.*access.executionRoleArns"));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
