import { runWithFakeEcr } from './fake-ecr';

/** scripts/tag-image.sh against a fake ECR repository (test/fake-ecr.ts). */
const ENV = { ECR_REPOSITORY_NAME: 'sagemaker-p-abcdefghijkl-inference', IMAGE_TAG: 'v3-0123abcd', AWS_REGION: 'eu-west-1' };

describe('scripts/tag-image.sh', () => {
  test.each(['staging', 'prod'])('adds a new %s-<UTC time> tag to the same manifest (tags are immutable, so never moves one)', (stage) => {
    const run = runWithFakeEcr('scripts/tag-image.sh', [stage], 'has-tag', ENV);
    expect(run.status).toBe(0);
    const put = run.calls.find((c) => c.startsWith('aws ecr put-image'))!;
    expect(put).toMatch(new RegExp(`--image-tag ${stage}-\\d{8}T\\d{6}Z --image-manifest \\{"schemaVersion":2\\}`));
    expect(run.calls[0]).toContain('aws ecr batch-get-image --region eu-west-1 --repository-name sagemaker-p-abcdefghijkl-inference --image-ids imageTag=v3-0123abcd');
  });

  test('an image that is not there is named, and nothing is tagged', () => {
    const run = runWithFakeEcr('scripts/tag-image.sh', ['prod'], 'empty', ENV);
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe('tag-image: sagemaker-p-abcdefghijkl-inference:v3-0123abcd not found');
    expect(run.calls.filter((c) => c.startsWith('aws ecr put-image'))).toEqual([]);
  });

  test.each([[[], "got ''"], [['qa'], "got 'qa'"]])('a stage other than staging or prod is refused with the usage (%j)', (args, got) => {
    const run = runWithFakeEcr('scripts/tag-image.sh', args as string[], 'has-tag', ENV);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`usage: tag-image.sh staging|prod (${got})`);
  });

  test('a missing environment variable is named', () => {
    const run = runWithFakeEcr('scripts/tag-image.sh', ['prod'], 'has-tag', { ...ENV, IMAGE_TAG: '' });
    expect(run.stderr.trim()).toBe('tag-image: IMAGE_TAG is not set');
  });
});
