import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * The seed check-in build's decision, under real git against local bare repositories: an empty
 * repository gets the seed as its first commit, a repository with any commit is left alone, and a
 * second run changes nothing. The connection's Git endpoint is an HTTPS remote like any other, so
 * the only part not exercised here is the endpoint itself (see README, "Git provider").
 */
const BUILD_DIR = path.join(__dirname, '..', 'pipelines', 'seed-checkin', 'build');
const CHECKIN = path.join(BUILD_DIR, 'checkin.sh');
const REMOTE_URL = path.join(BUILD_DIR, 'connection-remote-url.sh');

// No user config, hooks or credential helpers of the machine running the tests.
const GIT_ENV = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' };

let work: string;
beforeEach(() => { work = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-checkin-')); });
afterEach(() => fs.rmSync(work, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();

function bareRepository(name: string): string {
  const dir = path.join(work, `${name}.git`);
  execFileSync('git', ['init', '--quiet', '--bare', dir], { env: GIT_ENV });
  return dir;
}

function seedFolder(): string {
  const dir = path.join(work, 'seed');
  fs.mkdirSync(path.join(dir, 'pipelines'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'buildspec.yml'), 'version: 0.2\n');
  fs.writeFileSync(path.join(dir, 'pipelines', 'pipeline.py'), 'print("train")\n');
  return dir;
}

/** A repository that already holds the team's work on `branch`. */
function repositoryWithCommit(name: string, branch: string): string {
  const remote = bareRepository(name);
  const clone = path.join(work, `${name}-clone`);
  fs.mkdirSync(clone);
  git(clone, 'init', '--quiet', '--initial-branch', branch);
  fs.writeFileSync(path.join(clone, 'README.md'), 'our own code\n');
  git(clone, 'add', '--all');
  git(clone, '-c', 'user.name=t', '-c', 'user.email=t@example.com', 'commit', '--quiet', '-m', 'ours');
  git(clone, 'push', '--quiet', remote, `HEAD:refs/heads/${branch}`);
  return remote;
}

const checkin = (...args: string[]) => spawnSync('bash', [CHECKIN, ...args], { env: GIT_ENV, encoding: 'utf8' });
const refs = (remote: string) => git(work, 'ls-remote', remote);
const filesAt = (remote: string, branch: string) => git(work, '--git-dir', remote, 'ls-tree', '-r', '--name-only', branch).split('\n').sort();

describe('seed check-in (pipelines/seed-checkin/build/checkin.sh)', () => {
  test('an empty repository gets the seed folder as the one commit of the branch', () => {
    const remote = bareRepository('empty');
    const run = checkin(remote, 'main', seedFolder(), 'my-org/churn-modelbuild');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('my-org/churn-modelbuild was empty: seeded main with 2 files');
    expect(filesAt(remote, 'main')).toEqual(['buildspec.yml', 'pipelines/pipeline.py']);
    expect(git(work, '--git-dir', remote, 'rev-list', '--count', 'main')).toBe('1');
  });

  test('a repository with commits on the branch is left alone', () => {
    const remote = repositoryWithCommit('used', 'main');
    const before = refs(remote);
    const run = checkin(remote, 'main', seedFolder());
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('already has commits on main: left alone');
    expect(refs(remote)).toBe(before);
    expect(filesAt(remote, 'main')).toEqual(['README.md']);
  });

  test('a repository with commits on another branch is left alone, without creating the pipeline branch', () => {
    const remote = repositoryWithCommit('other-branch', 'develop');
    const before = refs(remote);
    const run = checkin(remote, 'main', seedFolder());
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('no branch main: left alone');
    expect(refs(remote)).toBe(before);
  });

  test('running it again after seeding changes nothing (a stack update or retry is harmless)', () => {
    const remote = bareRepository('rerun');
    expect(checkin(remote, 'trunk', seedFolder()).status).toBe(0);
    const seeded = refs(remote);
    const again = checkin(remote, 'trunk', seedFolder());
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('already has commits on trunk: left alone');
    expect(refs(remote)).toBe(seeded);
  });

  test('fails with the connection to check when the repository cannot be read', () => {
    const run = checkin(path.join(work, 'missing.git'), 'main', seedFolder(), 'my-org/missing');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot read my-org/missing: the connection must be AVAILABLE');
  });

  test('refuses an invalid branch name or an empty seed folder before touching the repository', () => {
    const remote = bareRepository('guarded');
    expect(checkin(remote, 'bad..name', seedFolder()).stderr).toContain('not a valid branch name: bad..name');
    const empty = path.join(work, 'nothing');
    fs.mkdirSync(empty);
    expect(checkin(remote, 'main', empty).stderr).toContain('is missing or empty');
    expect(refs(remote)).toBe('');
  });
});

describe('connection Git endpoint URL (pipelines/seed-checkin/build/connection-remote-url.sh)', () => {
  const url = (...args: string[]) => spawnSync('bash', [REMOTE_URL, ...args], { encoding: 'utf8' });
  const id = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

  test('is the codeconnections endpoint for a codeconnections ARN', () => {
    expect(url(`arn:aws:codeconnections:eu-west-1:111122223333:connection/${id}`, 'my-org/churn').stdout.trim())
      .toBe(`https://codeconnections.eu-west-1.amazonaws.com/git-http/111122223333/eu-west-1/${id}/my-org/churn.git`);
  });

  test('keeps the older prefix for a codestar-connections ARN, and the China domain in aws-cn', () => {
    expect(url(`arn:aws:codestar-connections:us-east-1:111122223333:connection/${id}`, 'o/r').stdout.trim())
      .toBe(`https://codestar-connections.us-east-1.amazonaws.com/git-http/111122223333/us-east-1/${id}/o/r.git`);
    expect(url(`arn:aws-cn:codeconnections:cn-north-1:111122223333:connection/${id}`, 'o/r').stdout.trim())
      .toBe(`https://codeconnections.cn-north-1.amazonaws.com.cn/git-http/111122223333/cn-north-1/${id}/o/r.git`);
  });

  test('rejects what is not a connection ARN or not owner/name', () => {
    expect(url('arn:aws:codecommit:eu-west-1:111122223333:repo', 'o/r')).toMatchObject({ status: 2, stderr: expect.stringContaining('not a connection ARN') });
    expect(url(`arn:aws:codeconnections:eu-west-1:111122223333:connection/${id}`, 'o/r/x'))
      .toMatchObject({ status: 2, stderr: expect.stringContaining('not a repository id (owner/name): o/r/x') });
  });
});
