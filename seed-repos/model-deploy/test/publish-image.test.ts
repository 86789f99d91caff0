import * as fs from 'fs';
import * as path from 'path';
import { ROOT, runWithFakeEcr } from './fake-ecr';

/** scripts/publish-image.sh against a fake ECR repository with immutable tags (test/fake-ecr.ts). */
const ENV = {
  ECR_REPOSITORY_URI: '111122223333.dkr.ecr.eu-west-1.amazonaws.com/sagemaker-p-abcdefghijkl-inference',
  ECR_REPOSITORY_NAME: 'sagemaker-p-abcdefghijkl-inference',
  IMAGE_TAG: 'v3-0123abcd',
  AWS_REGION: 'eu-west-1',
};
const publish = (registry: 'empty' | 'has-tag' | 'denied', env: Record<string, string> = ENV) =>
  runWithFakeEcr('scripts/publish-image.sh', [], registry, env);

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
