import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { InputContract, InputRecord } from './input-contract';
import { PREDICT_PATH, ServiceLimits } from './template-contract';

/** Static credentials or a provider, as the signer takes them. */
export type SignerCredentials = ConstructorParameters<typeof SignatureV4>[0]['credentials'];

/** One request the smoke test sends. */
export interface SmokeRequest {
  readonly url: string;
  readonly body: string;
  /** The Content-Type header, which selects the request format. */
  readonly contentType: string;
}

/**
 * The request formats of POST /predict, by Content-Type (service/README.md, "Request formats"):
 * JSON records, columnar JSON (pandas "split" orientation) and CSV rows in input order without a header
 * (the SageMaker built-in XGBoost convention).
 */
export const ContentTypes = {
  records: 'application/json',
  columnar: 'application/json; format=pandas-split',
  csv: 'text/csv',
} as const;

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
  readonly contentType: string;
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

/**
 * The checks, all derived from the deployed model's input contract (its transform.json): its examples in each
 * request format must get one finite prediction each; a body that is not JSON, an unknown category, a number
 * outside the accepted range, too many records and a missing field (records and columnar) must get 400 naming
 * the field; an unsupported Content-Type must get 415.
 */
export function smokeCases(contract: InputContract): SmokeCase[] {
  const { inputFields, examples } = contract;
  const first = examples[0];
  const batch = examples.length;
  const missingField = inputFields[inputFields.length - 1];
  const { [missingField]: _dropped, ...withoutField } = first;
  const tooMany = Array.from({ length: ServiceLimits.maxRecords + 1 }, (_, i) => examples[i % batch]);
  const cases: SmokeCase[] = [
    ok('one record', contract, [first]),
    ok(`batch of ${batch}`, contract, examples),
    ok(`batch of ${batch} as columnar JSON`, contract, examples, 'columnar'),
    ok(`batch of ${batch} as CSV`, contract, examples, 'csv'),
    badRequest('body is not JSON', '{"instances": [', undefined),
  ];
  const [categoricalField] = Object.keys(contract.categorical);
  if (categoricalField !== undefined) {
    const unknown = { ...first, [categoricalField]: unknownCategory(contract.categorical[categoricalField]) };
    cases.push(badRequest(`unknown ${categoricalField}`, JSON.stringify({ instances: [unknown] }), categoricalField));
  }
  const [numericField] = Object.keys(contract.numeric);
  if (numericField !== undefined) {
    const { minimum, maximum } = contract.numeric[numericField];
    const outOfRange = { ...first, [numericField]: maximum + (maximum - minimum) + 1 };
    cases.push(badRequest(`${numericField} above its maximum ${maximum}`, JSON.stringify({ instances: [outOfRange] }), numericField));
  }
  cases.push(
    badRequest(`too many records (${tooMany.length})`, JSON.stringify({ instances: tooMany }), 'instances'),
    badRequest(`missing field ${missingField}`, JSON.stringify({ instances: [withoutField] }), missingField),
    badRequest(`columnar body without the ${missingField} column`, columnarBody(contract, [withoutField]), missingField, 'columnar'),
  );
  if (categoricalField !== undefined) {
    const unknown = { ...examples[1 % batch], [categoricalField]: unknownCategory(contract.categorical[categoricalField]) };
    cases.push(badRequest(`CSV row 1 with unknown ${categoricalField}`, csvBody(contract, [first, unknown]), categoricalField, 'csv'));
  }
  cases.push({
    name: 'unsupported Content-Type text/plain',
    body: csvBody(contract, [first]),
    contentType: 'text/plain',
    expectedStatus: 415,
    checkBody: (body) => (body.includes('text/csv') ? undefined : `the 415 does not name the supported types: ${truncate(body)}`),
  });
  return cases;
}

/** A spelling that is none of `categories`, in any letter case (the service accepts "m" for "M"). */
export function unknownCategory(categories: readonly string[]): string {
  const known = new Set(categories.map((c) => c.toLowerCase()));
  let candidate = 'unknown';
  while (known.has(candidate)) candidate += '-x';
  return candidate;
}

/** Runs every case in order (never in parallel: the stage is throttled) and reports each. */
export async function runSmokeTest(predictUrl: string, send: Send, cases: readonly SmokeCase[]): Promise<SmokeResult[]> {
  const results: SmokeResult[] = [];
  for (const c of cases) {
    let response: SmokeResponse;
    try {
      response = await send({ url: predictUrl, body: c.body, contentType: c.contentType });
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
  return async ({ url, body, contentType }) => {
    const u = new URL(url);
    const request = new HttpRequest({
      method: 'POST',
      protocol: u.protocol,
      hostname: u.hostname,
      port: u.port ? Number(u.port) : undefined,
      path: u.pathname,
      headers: { host: u.host, 'content-type': contentType },
      body,
    });
    const signed = await signer.sign(request);
    const response = await doFetch(url, { method: 'POST', headers: signed.headers, body });
    return { status: response.status, body: await response.text() };
  };
}

type Format = keyof typeof ContentTypes;

/** `{"columns": [...], "data": [[...]]}` with the columns the records have, in input order. */
function columnarBody(contract: InputContract, records: readonly InputRecord[]): string {
  const columns = contract.inputFields.filter((f) => f in records[0]);
  return JSON.stringify({ columns, data: records.map((r) => columns.map((c) => r[c])) });
}

/** One CSV row per record, input order, no header; numbers as JavaScript writes them (as JSON does). */
function csvBody(contract: InputContract, records: readonly InputRecord[]): string {
  return records.map((r) => contract.inputFields.map((f) => String(r[f])).join(',')).join('\n') + '\n';
}

function bodyOf(contract: InputContract, records: readonly InputRecord[], format: Format): string {
  if (format === 'columnar') return columnarBody(contract, records);
  if (format === 'csv') return csvBody(contract, records);
  return JSON.stringify({ instances: records });
}

function ok(name: string, contract: InputContract, instances: readonly InputRecord[], format: Format = 'records'): SmokeCase {
  return {
    name,
    body: bodyOf(contract, instances, format),
    contentType: ContentTypes[format],
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

function badRequest(name: string, body: string, field: string | undefined, format: Format = 'records'): SmokeCase {
  return {
    name,
    body,
    contentType: ContentTypes[format],
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
