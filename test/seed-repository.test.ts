import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { PRODUCT_KINDS, productTemplate, resourcesOfType, SYNTH_DIR } from './synthesized-app';
import { trackedSeedCopy } from '../pipelines/tracked-seed-files';

const SEEDS_DIR = path.join(__dirname, '..', 'seed-repos');
/** What git tracks in a seed folder, read independently of the product code. */
const gitTracked = (seed: string) => execFileSync('git', ['ls-files', '-z', '--', '.'], { cwd: path.join(SEEDS_DIR, seed), encoding: 'utf8' })
  .split('\0').filter((f) => f && fs.existsSync(path.join(SEEDS_DIR, seed, f))).sort();
const filesUnder = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile()).map((e) => path.relative(dir, path.join(e.parentPath, e.name))).sort();

/**
 * What a data scientist clones is what the product staged as the repo's first commit: the seed
 * folder without dependencies, virtualenvs, caches, build output or a model.
 */
function stagedFiles(repoSuffix: string, kind: (typeof PRODUCT_KINDS)[number]): string[] {
  const [, repo] = resourcesOfType(productTemplate(kind), 'AWS::CodeCommit::Repository')
    .find(([, r]) => JSON.stringify(r.Properties.RepositoryName).includes(repoSuffix))!;
  const staged = path.join(SYNTH_DIR, `asset.${String(repo.Properties.Code.S3.Key).replace(/\.zip$/, '')}`);
  return filesUnder(staged);
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

  test.each([
    ['-modelbuild', 'lambda', 'model-build'],
    ['-modeldeploy', 'lambda', 'model-deploy'],
    ['-modeldeploy', 'endpoint', 'model-deploy-endpoint'],
  ] as const)('the %s repo of the %s product is exactly what git tracks in seed-repos/%s', (suffix, kind, seed) => {
    expect(stagedFiles(suffix, kind)).toEqual(gitTracked(seed));
  });

  test.each(['model-build', 'model-deploy', 'model-deploy-endpoint'])(
    'untracked and ignored leftovers in seed-repos/%s are never seeded (.env, caches, coverage, a model, build output)', (seed) => {
      const dir = path.join(SEEDS_DIR, seed);
      const leftovers = ['.env', '.coverage', '.mypy_cache/x.json', '.vscode/settings.json', 'htmlcov/index.html', 'model.tar.gz',
        'lib/cli.js', '.idea/workspace.xml', 'staging-config-export.json', 'untracked-notes.md'];
      const created = leftovers.filter((f) => !fs.existsSync(path.join(dir, f)));
      try {
        for (const f of created) {
          fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
          fs.writeFileSync(path.join(dir, f), 'AWS_SECRET_ACCESS_KEY=not-a-real-secret\n');
        }
        expect(filesUnder(trackedSeedCopy(dir))).toEqual(gitTracked(seed));
      } finally {
        for (const f of created) fs.rmSync(path.join(dir, f), { force: true });
        for (const d of ['.mypy_cache', '.vscode', 'htmlcov', '.idea']) {
          if (fs.existsSync(path.join(dir, d)) && fs.readdirSync(path.join(dir, d)).length === 0) fs.rmdirSync(path.join(dir, d));
        }
      }
    });
});
