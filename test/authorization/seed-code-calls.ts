import * as fs from 'fs';
import * as path from 'path';

/**
 * The AWS calls the seed repos' own code makes, found in the code itself so that a new call
 * cannot be added without the authorization suite noticing:
 * - every `aws <service> <command>` and `docker push` in every buildspec and seed shell script;
 * - every AWS SDK v3 command a TypeScript file sends (`new XxxCommand(`, `paginateXxx(`) and every
 *   SigV4 signer it builds (`new SignatureV4({ service: ... })`);
 * - every boto3 client method a Python file calls on a client it creates (`boto3.client("svc")`),
 *   matched against botocore's own list of that service's methods;
 * - the SageMaker Python SDK's calls, recorded by the ModelBuild seed's own test with botocore
 *   intercepted (seed-repos/model-build/tests/expected_aws_calls.json).
 */

export const SEEDS_DIR = path.join(__dirname, '..', '..', 'seed-repos');

export interface FoundCall {
  /** Seed folder, e.g. `model-deploy`. */
  readonly seed: string;
  /** File inside the seed. */
  readonly file: string;
  /** `aws-cli s3api head-object`, `docker push`, `sdk sagemaker DescribeModelPackage`, `sigv4 execute-api`. */
  readonly call: string;
}

/** The files whose code runs in the project's CodeBuild projects (tests excluded: they never call AWS). */
const CODE_DIRS = ['scripts', 'lib', 'bin', 'pipelines', 'inference'];

function seedFiles(seed: string, pattern: RegExp): string[] {
  const root = path.join(SEEDS_DIR, seed);
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (['node_modules', 'cdk.out', '.venv', '__pycache__', 'build', 'tests', 'test'].includes(entry.name)) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (pattern.test(entry.name)) found.push(path.relative(root, full));
    }
  };
  for (const dir of CODE_DIRS) if (fs.existsSync(path.join(root, dir))) walk(path.join(root, dir));
  return found.sort();
}

export function seedNames(): string[] {
  return fs.readdirSync(SEEDS_DIR).filter((d) => fs.existsSync(path.join(SEEDS_DIR, d, 'buildspec.yml'))).sort();
}

/** `aws <service> <command>` and `docker push` in every buildspec of `seed` and every shell script it runs. */
export function buildspecCalls(seed: string): FoundCall[] {
  const dir = path.join(SEEDS_DIR, seed);
  const buildspecs = fs.readdirSync(dir).filter((f) => /^buildspec.*\.yml$/.test(f));
  const scripts = fs.existsSync(path.join(dir, 'scripts'))
    ? fs.readdirSync(path.join(dir, 'scripts')).filter((f) => f.endsWith('.sh')).map((f) => path.join('scripts', f)) : [];
  return [...buildspecs, ...scripts].sort().flatMap((file) => {
    const text = fs.readFileSync(path.join(dir, file), 'utf8').split('\n').filter((l) => !l.trim().startsWith('#')).join('\n');
    const calls = [...text.matchAll(/\baws\s+([a-z0-9-]+)\s+([a-z0-9-]+)/g)].map((m) => `aws-cli ${m[1]} ${m[2]}`);
    const pushes = [...text.matchAll(/\bdocker\s+push\b/g)].map(() => 'docker push');
    return [...calls, ...pushes].map((call) => ({ seed, file, call }));
  });
}

/** SDK v3 commands and SigV4 signers in the TypeScript code of `seed`. */
export function typeScriptCalls(seed: string): FoundCall[] {
  return seedFiles(seed, /\.ts$/).flatMap((file) => {
    const text = fs.readFileSync(path.join(SEEDS_DIR, seed, file), 'utf8');
    const client = text.match(/from '@aws-sdk\/client-([a-z0-9-]+)'/)?.[1];
    const commands = [...text.matchAll(/\bnew ([A-Z]\w+)Command\(/g), ...text.matchAll(/\bpaginate([A-Z]\w+)\(/g)]
      .map((m) => `sdk ${client} ${m[1]}`);
    const signers = [...text.matchAll(/new SignatureV4\(\{[^}]*service: '([a-z0-9-]+)'/g)].map((m) => `sigv4 ${m[1]}`);
    return [...new Set([...commands, ...signers])].map((call) => ({ seed, file, call }));
  });
}

/** boto3 client calls in the Python code of `seed`, given botocore's method → operation names per service. */
export function pythonCalls(seed: string, operations: Record<string, { methods: Record<string, string> }>): FoundCall[] {
  return seedFiles(seed, /\.py$/).flatMap((file) => {
    const text = fs.readFileSync(path.join(SEEDS_DIR, seed, file), 'utf8');
    const services = [...text.matchAll(/boto3\.client\(\s*"([a-z0-9-]+)"/g)].map((m) => m[1]);
    const methods = [
      ...[...text.matchAll(/\.([a-z][a-z0-9_]*)\(/g)].map((m) => m[1]),
      ...[...text.matchAll(/get_paginator\(\s*"([a-z0-9_]+)"/g)].map((m) => m[1]),
    ];
    const found = new Set<string>();
    for (const service of services) {
      const known = operations[service]?.methods;
      if (!known) throw new Error(`${seed}/${file}: boto3 client "${service}" is not in aws_facts.py BOTO3_SERVICES`);
      for (const method of methods) if (known[method]) found.add(`sdk ${service} ${known[method]}`);
    }
    return [...found].sort().map((call) => ({ seed, file, call }));
  });
}

export interface RecordedCall {
  readonly action: string;
  readonly resource: string;
  readonly run: 'first' | 'rerun' | 'both';
  readonly source: string;
  /** The buildspec command, for calls made by the aws CLI. */
  readonly command?: string;
  readonly context?: Record<string, string | string[]>;
  /** False for calls the code tolerates being denied (the SDK's bucket listing, telemetry's GetCallerIdentity). */
  readonly must_be_allowed: boolean;
  readonly why: string;
}

/** The calls the ModelBuild seed's run_pipeline.py (SageMaker Python SDK) makes, as its own test recorded them. */
export function recordedModelBuildCalls(): RecordedCall[] {
  return JSON.parse(fs.readFileSync(path.join(SEEDS_DIR, 'model-build', 'tests', 'expected_aws_calls.json'), 'utf8'));
}
