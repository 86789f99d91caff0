import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * scripts/publish-image.sh with fake `aws` and `docker` commands on PATH. The fakes behave like an
 * ECR repository with immutable tags: `docker push` of a tag that is already there fails, as ECR's
 * "tag invalid: The image tag ... already exists ... cannot be overwritten because the repository is immutable".
 */
const ROOT = path.join(__dirname, '..');
const SCRIPT = path.join(ROOT, 'scripts', 'publish-image.sh');
const ENV = {
  ECR_REPOSITORY_URI: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-p-abcdefghijkl-inference',
  ECR_REPOSITORY_NAME: 'sagemaker-p-abcdefghijkl-inference',
  IMAGE_TAG: 'v3-0123abcd',
  AWS_REGION: 'eu-west-1',
};

type Registry = 'empty' | 'has-tag' | 'denied';

function fakeTools(dir: string, registry: Registry): void {
  const log = path.join(dir, 'calls.log');
  const describe = {
    'empty': 'echo "An error occurred (ImageNotFoundException) when calling the DescribeImages operation: The image with imageId {imageTag:\'$IMAGE_TAG\'} does not exist" >&2; exit 254',
    'has-tag': 'echo sha256:0123; exit 0',
    'denied': 'echo "An error occurred (AccessDeniedException) when calling the DescribeImages operation: not authorized" >&2; exit 254',
  }[registry];
  fs.writeFileSync(path.join(dir, 'aws'), `#!/usr/bin/env bash
echo "aws $*" >> ${log}
case "$1 $2" in
  "ecr describe-images") ${describe} ;;
  "ecr get-login-password") echo token ;;
  *) echo "unexpected aws call: $*" >&2; exit 99 ;;
esac
`, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, 'docker'), `#!/usr/bin/env bash
echo "docker $*" >> ${log}
cat > /dev/null
if [[ "$1" == push && "${registry}" == has-tag ]]; then
  echo "tag invalid: The image tag '$IMAGE_TAG' already exists in the repository and cannot be overwritten because the repository is immutable." >&2
  exit 1
fi
`, { mode: 0o755 });
}

function publish(registry: Registry, env: Record<string, string> = ENV) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-image-'));
  try {
    fakeTools(dir, registry);
    const result = spawnSync('bash', [SCRIPT], {
      cwd: ROOT, encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, ...env },
    });
    const calls = fs.existsSync(path.join(dir, 'calls.log')) ? fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('scripts/publish-image.sh', () => {
  test('a first run logs in, builds for x86_64 and pushes the tag', () => {
    const run = publish('empty');
    expect(run.status).toBe(0);
    expect(run.calls.map((c) => c.split(' ').slice(0, 3).join(' '))).toEqual([
      'aws ecr describe-images', 'aws ecr get-login-password', 'docker login --username', 'docker build --platform', 'docker push 111122223333.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-p-abcdefghijkl-inference:v3-0123abcd',
    ]);
    expect(run.calls).toContain(`docker build --platform linux/amd64 -t ${ENV.ECR_REPOSITORY_URI}:${ENV.IMAGE_TAG} service/`);
  });

  test('a re-run with the same model and commit reuses the pushed image instead of failing on the immutable tag', () => {
    const run = publish('has-tag');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('is already pushed (sha256:0123); reusing it');
    expect(run.calls.filter((c) => c.startsWith('docker'))).toEqual([]);
  });

  test('an ECR error other than "not found" stops the build with ECR\'s message, and nothing is pushed', () => {
    const run = publish('denied');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot check sagemaker-p-abcdefghijkl-inference:v3-0123abcd: .*AccessDeniedException/);
    expect(run.calls.filter((c) => c.startsWith('docker'))).toEqual([]);
  });

  test('a missing environment variable is named', () => {
    const run = publish('empty', { ...ENV, IMAGE_TAG: '' });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('publish-image: IMAGE_TAG is not set');
  });

  test('buildspec.yml pushes only through the script (a direct docker push fails every re-run)', () => {
    const buildspec = fs.readFileSync(path.join(ROOT, 'buildspec.yml'), 'utf8');
    const commands = buildspec.split('\n').filter((l) => /^\s+- /.test(l));
    expect(commands.some((l) => l.includes('bash scripts/publish-image.sh'))).toBe(true);
    expect(commands.filter((l) => /docker (push|build|login)/.test(l))).toEqual([]);
  });
});
