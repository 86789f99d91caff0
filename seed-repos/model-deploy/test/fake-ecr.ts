import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/**
 * Fake `aws` and `docker` commands on PATH that behave like an ECR repository with immutable tags:
 * `docker push` of a tag that is already there fails, as ECR's "tag invalid: The image tag ...
 * already exists ... cannot be overwritten because the repository is immutable".
 */
export const ROOT = path.join(__dirname, '..');

export type Registry = 'empty' | 'has-tag' | 'denied';

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
  "ecr batch-get-image") ${registry === 'denied' ? 'echo "AccessDeniedException" >&2; exit 254' : registry === 'empty' ? 'echo None' : 'echo \'{"schemaVersion":2}\''} ;;
  "ecr put-image") echo '{}' ;;
  *) echo "unexpected aws call: $*" >&2; exit 99 ;;
esac
`, { mode: 0o755 });
  // Reads its input first: in `aws ... | docker login` the two run at once, and the log must keep their order.
  fs.writeFileSync(path.join(dir, 'docker'), `#!/usr/bin/env bash
cat > /dev/null
echo "docker $*" >> ${log}
if [[ "$1" == push && "${registry}" == has-tag ]]; then
  echo "tag invalid: The image tag '$IMAGE_TAG' already exists in the repository and cannot be overwritten because the repository is immutable." >&2
  exit 1
fi
`, { mode: 0o755 });
}

/** Runs `script` with `args` against a fake registry; returns its status, output and every fake call. */
export function runWithFakeEcr(script: string, args: string[], registry: Registry, env: Record<string, string>) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'publish-image-'));
  try {
    fakeTools(dir, registry);
    const result = spawnSync('bash', [path.join(ROOT, script), ...args], {
      cwd: ROOT, encoding: 'utf8', env: { PATH: `${dir}:${process.env.PATH}`, HOME: dir, ...env },
    });
    const calls = fs.existsSync(path.join(dir, 'calls.log')) ? fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n') : [];
    return { status: result.status, stdout: result.stdout, stderr: result.stderr, calls };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

