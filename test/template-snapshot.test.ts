import { portfolioTemplate, productTemplate } from './synthesized-app';

/**
 * Reviewable record of what the templates contain. Asset hashes change with any seed-code edit,
 * so they are replaced by a placeholder; everything else must match the committed snapshot.
 * Snapshots never rewrite themselves (jest runs with --ci): update them deliberately with `npx jest --ci=false -u test/template-snapshot.test.ts`.
 */
function stripAssetHashes(template: unknown): unknown {
  return JSON.parse(JSON.stringify(template).replace(/[0-9a-f]{64}/g, '<asset-hash>'));
}

describe('synthesized templates', () => {
  test('the Lambda product template matches the reviewed snapshot', () => {
    expect(stripAssetHashes(productTemplate('lambda'))).toMatchSnapshot();
  });

  test('the SageMaker endpoint product template matches the reviewed snapshot', () => {
    expect(stripAssetHashes(productTemplate('endpoint'))).toMatchSnapshot();
  });

  test('the portfolio template matches the reviewed snapshot', () => {
    expect(stripAssetHashes(portfolioTemplate())).toMatchSnapshot();
  });
});
