#!/usr/bin/env ts-node
import { parseArguments, UsageError, runMain } from '../lib/cli';
import { readInputContract } from '../lib/input-contract';
import { createSigV4Sender, formatReport, predictUrlFrom, regionOf, runSmokeTest, Send, smokeCases } from '../lib/smoke-test';

const USAGE = `usage: npm run smoke-test [-- --url <ApiUrl>] [--transform <transform.json>]

Sends SigV4-signed requests to POST <ApiUrl>/predict: the deployed model's example records in each
request format, and bad inputs that must be answered with 400 or 415. Every request is derived from the
model's transform.json (its input fields, categories, accepted ranges and examples). Prints a report and
exits non-zero when any check fails.

options:
  --url <url>          the stack's ApiUrl output (or the full predict URL); default: STAGING_API_URL
  --transform <file>   the deployed model's transform.json; default: MODEL_TRANSFORM_FILE

environment:
  STAGING_API_URL        used when --url is not given (set by the pipeline from the staging stack)
  MODEL_TRANSFORM_FILE   used when --transform is not given (buildspec-staging-test.yml sets it to the
                         transform.json the deploy build put into its output artifact)
  AWS_REGION             used when the URL is not an execute-api URL (e.g. a custom domain)`;

/** Runs the smoke test; `makeSender` lets tests replace signing and HTTP. */
export async function smokeTest(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  makeSender: (region: string) => Send = (region) => createSigV4Sender({ region }),
): Promise<boolean> {
  const args = parseArguments(argv, { url: { type: 'string' }, transform: { type: 'string' }, help: { type: 'boolean' } }, USAGE);
  if (args.help) {
    console.log(USAGE);
    return true;
  }
  const rawUrl = args.url ?? env.STAGING_API_URL?.trim();
  if (!rawUrl) {
    throw new UsageError(`no API URL: pass --url <ApiUrl> or set STAGING_API_URL\n${USAGE}`);
  }
  let url: string;
  try {
    url = predictUrlFrom(rawUrl);
  } catch {
    throw new UsageError(`"${rawUrl}" is not a URL (expected the stack's ApiUrl, e.g. https://abc123.execute-api.eu-west-1.amazonaws.com)`);
  }
  const region = regionOf(url, env.AWS_REGION?.trim() || undefined);
  if (!region) {
    throw new UsageError(`cannot tell the region of ${url}: set AWS_REGION`);
  }
  const transformFile = args.transform ?? env.MODEL_TRANSFORM_FILE?.trim();
  if (!transformFile) {
    throw new UsageError(`no input contract: pass --transform <transform.json> or set MODEL_TRANSFORM_FILE to the deployed model's transform.json\n${USAGE}`);
  }
  // An unreadable or wrong transform.json throws InputContractError: a failed check (exit 1), not a usage error.
  const contract = readInputContract(transformFile);
  console.log(`smoke testing POST ${url} (SigV4, region ${region}) with the input contract of ${transformFile}`);
  const results = await runSmokeTest(url, makeSender(region), smokeCases(contract));
  const report = formatReport(results);
  const passed = results.every((r) => r.passed);
  (passed ? console.log : console.error)(report);
  return passed;
}

if (require.main === module) {
  runMain('smoke-test', async () => {
    if (!(await smokeTest(process.argv.slice(2), process.env))) {
      process.exitCode = 1;
    }
  });
}
