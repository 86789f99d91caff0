import * as fs from 'fs';
import * as path from 'path';
import { PRODUCT_KINDS, productTemplate, resourcesOfType, SYNTH_DIR } from './synthesized-app';

/**
 * What a data scientist clones is what the product staged as the repo's first commit: the seed
 * folder without dependencies, virtualenvs, caches, build output or a model.
 */
function stagedFiles(repoSuffix: string, kind: (typeof PRODUCT_KINDS)[number]): string[] {
  const [, repo] = resourcesOfType(productTemplate(kind), 'AWS::CodeCommit::Repository')
    .find(([, r]) => JSON.stringify(r.Properties.RepositoryName).includes(repoSuffix))!;
  const staged = path.join(SYNTH_DIR, `asset.${String(repo.Properties.Code.S3.Key).replace(/\.zip$/, '')}`);
  const files: string[] = [];
  const walk = (dir: string) => fs.readdirSync(dir, { withFileTypes: true }).forEach((e) =>
    (e.isDirectory() ? walk(path.join(dir, e.name)) : files.push(path.relative(staged, path.join(dir, e.name)))));
  walk(staged);
  return files;
}

const FORBIDDEN = /(^|\/)(node_modules|\.venv|__pycache__|\.pytest_cache|cdk\.out|build|coverage|test-reports)\/|\.pyc$/;

describe('SeedRepository', () => {
  test.each([
    ['-modelbuild', 'lambda', ['buildspec.yml', 'README.md', 'requirements.txt', 'data/abalone.csv', 'pipelines/abalone/pipeline.py']],
    ['-modeldeploy', 'lambda', ['buildspec.yml', 'buildspec-staging-test.yml', 'package.json', 'package-lock.json', 'service/Dockerfile', 'service/app/handler.py']],
    ['-modeldeploy', 'endpoint', ['buildspec.yml', 'buildspec-staging-test.yml', 'template.yml', 'inference/inference.py', 'requirements.txt']],
  ] as const)('the %s repo of the %s product holds its code and no dependencies, caches, build output or model', (suffix, kind, expected) => {
    const files = stagedFiles(suffix, kind);
    expect(files).toEqual(expect.arrayContaining([...expected]));
    expect(files.filter((f) => FORBIDDEN.test(f))).toEqual([]);
    expect(files.filter((f) => f.startsWith('service/model/') && f !== 'service/model/README.md')).toEqual([]);
  });
});
