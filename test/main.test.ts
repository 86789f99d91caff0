import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The CDK entry point, run the way `cdk synth` runs it, with a broken configuration file. */
describe('product/main.ts', () => {
  test('a malformed configuration stops synth with one line naming the file and key, and no stack trace', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portfolio-config-'));
    const file = path.join(dir, 'portfolio.yaml');
    const valid = fs.readFileSync(path.join(__dirname, '..', 'config', 'portfolio.yaml'), 'utf8');
    fs.writeFileSync(file, valid.replace('  executionRoleArns: []', '  executionRoleArns:\n    - arn:aws:iam::12345:role/too-short-account'));
    const result = spawnSync(process.execPath, [require.resolve('ts-node/dist/bin'), '--transpile-only', 'product/main.ts'], {
      cwd: path.join(__dirname, '..'),
      env: { ...process.env, PORTFOLIO_CONFIG: file, CDK_OUTDIR: path.join(dir, 'cdk.out') },
      encoding: 'utf8',
    });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe(`Invalid portfolio configuration: ${file}: access.executionRoleArns[0]: `
      + '"arn:aws:iam::12345:role/too-short-account" is not an IAM role ARN such as arn:aws:iam::123456789012:role/service-role/AmazonSageMaker-ExecutionRole-20260101T000000');
  });
});
