#!/usr/bin/env ts-node
import { parseArguments, UsageError, runMain } from '../lib/cli';
import { createSigV4Sender, formatReport, predictUrlFrom, regionOf, runSmokeTest, Send } from '../lib/smoke-test';

const USAGE = `usage: npm run smoke-test [-- --url <ApiUrl>]

Sends SigV4-signed requests to POST <ApiUrl>/predict: one record, a batch, and bad inputs that
must be answered with 400. Prints a report and exits non-zero when any check fails.

options:
  --url <url>   the stack's ApiUrl output (or the full predict URL); default: STAGING_API_URL

environment:
  STAGING_API_URL   used when --url is not given (set by the pipeline from the staging stack)
  AWS_REGION        used when the URL is not an execute-api URL (e.g. a custom domain)`;

/** Runs the smoke test; `makeSender` lets tests replace signing and HTTP. */
export async function smokeTest(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  makeSender: (region: string) => Send = (region) => createSigV4Sender({ region }),
): Promise<boolean> {
  const args = parseArguments(argv, { url: { type: 'string' }, help: { type: 'boolean' } }, USAGE);
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
  console.log(`smoke testing POST ${url} (SigV4, region ${region})`);
  const results = await runSmokeTest(url, makeSender(region));
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
