import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { PREDICT_PATH, ServiceLimits } from './template-contract';

/** Static credentials or a provider, as the signer takes them. */
export type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** One request the smoke test sends. */
export interface SmokeRequest {
  readonly url: string;
  readonly body: string;
}

/** What came back. */
export interface SmokeResponse {
  readonly status: number;
  readonly body: string;
}

/** Sends one POST request; injected so tests run offline against a local server. */
export type Send = (request: SmokeRequest) => Promise<SmokeResponse>;

/** One check of the deployed API. */
export interface SmokeCase {
  readonly name: string;
  readonly body: string;
  readonly expectedStatus: number;
  /** Further checks of the response body; returns a problem or undefined. */
  readonly checkBody: (body: string) => string | undefined;
}

/** The outcome of one {@link SmokeCase}. */
export interface SmokeResult {
  readonly name: string;
  readonly expectedStatus: number;
  /** Undefined when the request itself failed (network, signing). */
  readonly status?: number;
  readonly passed: boolean;
  readonly detail: string;
}

/** Abalone records as the training data holds them (UCI Abalone, scaled units). */
const SAMPLE_RECORDS = [
  { sex: 'M', length: 0.455, diameter: 0.365, height: 0.095, whole_weight: 0.514, shucked_weight: 0.2245, viscera_weight: 0.101, shell_weight: 0.15 },
  { sex: 'F', length: 0.53, diameter: 0.42, height: 0.135, whole_weight: 0.677, shucked_weight: 0.2565, viscera_weight: 0.1415, shell_weight: 0.21 },
  { sex: 'I', length: 0.33, diameter: 0.255, height: 0.08, whole_weight: 0.205, shucked_weight: 0.0895, viscera_weight: 0.0395, shell_weight: 0.055 },
  { sex: 'M', length: 0.44, diameter: 0.365, height: 0.125, whole_weight: 0.516, shucked_weight: 0.2155, viscera_weight: 0.114, shell_weight: 0.155 },
  { sex: 'F', length: 0.545, diameter: 0.425, height: 0.125, whole_weight: 0.768, shucked_weight: 0.294, viscera_weight: 0.1495, shell_weight: 0.26 },
] as const;

/** Size of the batch case. */
export const BATCH_SIZE = SAMPLE_RECORDS.length;

/** The checks: the contract's success path and the kinds of bad input that must be a 400. */
export function smokeCases(): SmokeCase[] {
  const { shell_weight: _dropped, ...missingShellWeight } = SAMPLE_RECORDS[0];
  const tooMany = Array.from({ length: ServiceLimits.maxRecords + 1 }, (_, i) => SAMPLE_RECORDS[i % SAMPLE_RECORDS.length]);
  return [
    ok('one record', [SAMPLE_RECORDS[0]]),
    ok(`batch of ${BATCH_SIZE}`, SAMPLE_RECORDS),
    badRequest('body is not JSON', '{"instances": [', undefined),
    badRequest('unknown sex', JSON.stringify({ instances: [{ ...SAMPLE_RECORDS[0], sex: 'X' }] }), 'sex'),
    badRequest(`too many records (${tooMany.length})`, JSON.stringify({ instances: tooMany }), 'instances'),
    badRequest('missing field shell_weight', JSON.stringify({ instances: [missingShellWeight] }), 'shell_weight'),
  ];
}

/** Runs every case in order (never in parallel: the stage is throttled) and reports each. */
export async function runSmokeTest(predictUrl: string, send: Send, cases: readonly SmokeCase[] = smokeCases()): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const c of cases) {
    let response: SmokeResponse;
    try {
      response = await send({ url: predictUrl, body: c.body });
    } catch (err) {
      results.push({ name: c.name, expectedStatus: c.expectedStatus, passed: false, detail: `request failed: ${describeError(err)}` });
      continue;
    }
    const problem =
      response.status !== c.expectedStatus
        ? `unexpected status; body: ${truncate(response.body)}`
        : c.checkBody(response.body);
    results.push({
      name: c.name,
      expectedStatus: c.expectedStatus,
      status: response.status,
      passed: problem === undefined,
      detail: problem ?? 'ok',
    });
  }
  return results;
}

/** A fixed-width table, one row per case, then a summary line. */
export function formatReport(results: readonly SmokeResult[]): string {
  const rows = [
    ['result', 'case', 'expected', 'got', 'detail'],
    ...results.map((r) => [r.passed ? 'PASS' : 'FAIL', r.name, String(r.expectedStatus), r.status === undefined ? '-' : String(r.status), r.detail]),
  ];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  const line = (row: string[]) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ');
  const failed = results.filter((r) => !r.passed).length;
  return [
    line(rows[0]),
    ...rows.slice(1).map(line),
    failed === 0 ? `all ${results.length} checks passed` : `${failed} of ${results.length} checks failed`,
  ].join('\n');
}

/** `https://abc.execute-api.eu-west-1.amazonaws.com` (the stack's ApiUrl) → `.../predict`; a predict URL is kept. */
export function predictUrlFrom(apiUrl: string): string {
  const url = new URL(apiUrl); // throws TypeError "Invalid URL" on garbage
  const base = url.href.replace(/\/+$/, '');
  return base.endsWith(PREDICT_PATH) ? base : `${base}${PREDICT_PATH}`;
}

/** The region of an `execute-api` URL, else the fallback (e.g. AWS_REGION). */
export function regionOf(url: string, fallback?: string): string | undefined {
  const match = /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?$/.exec(new URL(url).hostname);
  return match?.[1] ?? fallback;
}

/** Options of {@link createSigV4Sender}. */
export interface SigV4SenderOptions {
  readonly region: string;
  /**
   * Credentials used to sign.
   * @default - the default Node.js provider chain (env, SSO, profile, container/instance role)
   */
  readonly credentials?: SignerCredentials;
  /**
   * The HTTP client.
   * @default globalThis.fetch
   */
  readonly fetch?: typeof fetch;
}

/** A {@link Send} that signs each request with SigV4 for `execute-api`, as the API's IAM authorization requires. */
export function createSigV4Sender(options: SigV4SenderOptions): Send {
  const signer = new SignatureV4({
    service: 'execute-api',
    region: options.region,
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  const doFetch = options.fetch ?? fetch;
  return async ({ url, body }) => {
    const u = new URL(url);
    const request = new HttpRequest({
      method: 'POST',
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      headers: { host: u.host, 'content-type': 'application/json' },
      body,
    });
    const signed = await signer.sign(request);
    const response = await doFetch(url, { method: 'POST', headers: signed.headers, body });
    return { status: response.status, body: await response.text() };
  };
}

function ok(name: string, instances: readonly object[]): SmokeCase {
  return {
    name,
    body: JSON.stringify({ instances }),
    expectedStatus: 200,
    checkBody: (body) => {
      const predictions = parse(body)?.predictions;
      if (!Array.isArray(predictions)) return `no "predictions" list in ${truncate(body)}`;
      if (predictions.length !== instances.length) return `expected ${instances.length} predictions, got ${predictions.length}`;
      if (!predictions.every((p) => typeof p === 'number' && Number.isFinite(p))) return `predictions are not all finite numbers: ${truncate(body)}`;
      return undefined;
    },
  };
}

function badRequest(name: string, body: string, field: string | undefined): SmokeCase {
  return {
    name,
    body,
    expectedStatus: 400,
    // The contract: a 400 names the offending field.
    checkBody: (response) => (field === undefined || response.includes(field) ? undefined : `error does not name "${field}": ${truncate(response)}`),
  };
}

function parse(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `fetch failed` alone says nothing; its cause (DNS, TLS, connection refused) does. */
function describeError(err: unknown): string {
  const e = err as Error & { cause?: { message?: string } };
  return e.cause?.message ? `${e.message} (${e.cause.message})` : String(e.message ?? err);
}

function truncate(s: string, max = 200): string {
  return s.length <= max ? s : `${s.slice(0, max)}…`;
}
