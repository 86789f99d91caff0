import * as http from 'http';
import { AddressInfo } from 'net';
import { UsageError } from '../lib/cli';
import { BATCH_SIZE, ContentTypes, createSigV4Sender, formatReport, predictUrlFrom, regionOf, runSmokeTest, smokeCases } from '../lib/smoke-test';
import { ServiceLimits } from '../lib/template-contract';
import { smokeTest } from '../scripts/smoke-test';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const FIELDS = ['sex', 'length', 'diameter', 'height', 'whole_weight', 'shucked_weight', 'viscera_weight', 'shell_weight'];

/** Answers like the inference service does (its three request formats); `broken` makes it misbehave the way a bad deployment would. */
function fakeService(broken: boolean) {
  const seen: Array<{ authorization?: string; path?: string; contentType?: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, path: req.url, contentType: req.headers['content-type'] });
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const error = (field: string | null, message: string) => reply(400, { error: { code: 'bad_request', message, field, index: null } });
      if (!String(req.headers.authorization).startsWith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/')) return reply(403, { message: 'Forbidden' });
      if (req.method !== 'POST' || req.url !== '/predict') return reply(404, { message: 'Not Found' });
      const contentType = req.headers['content-type'];
      let instances: any;
      if (contentType === ContentTypes.csv) {
        const rows = body.replace(/\n$/, '').split('\n').map((line) => line.split(','));
        instances = rows.map((cells) => Object.fromEntries(FIELDS.map((f, i) => [f, cells[i]])));
      } else if (contentType === ContentTypes.records || contentType === ContentTypes.columnar) {
        let parsed: any;
        try {
          parsed = JSON.parse(body);
        } catch {
          return error(null, 'request body is not valid JSON');
        }
        if (contentType === ContentTypes.columnar) {
          const missingColumn = FIELDS.find((f) => !parsed.columns.includes(f));
          if (missingColumn) return error(missingColumn, `"columns" lacks required field "${missingColumn}"`);
          instances = parsed.data.map((row: unknown[]) => Object.fromEntries(parsed.columns.map((c: string, i: number) => [c, row[i]])));
        } else {
          instances = parsed.instances;
        }
      } else {
        return reply(415, { error: { code: 'unsupported_media_type', message: `use ${Object.values(ContentTypes).join(', ')}`, field: null, index: null } });
      }
      if (!Array.isArray(instances)) return error('instances', 'request body must have an "instances" list');
      if (instances.length > ServiceLimits.maxRecords) return error('instances', `"instances" has ${instances.length} records`);
      for (const record of instances) {
        const missing = FIELDS.find((f) => !(f in record));
        if (missing) return error(missing, `missing required field "${missing}"`);
        if (!['M', 'F', 'I'].includes(record.sex)) {
          return broken ? reply(500, { message: 'Internal Server Error' }) : error('sex', 'unknown "sex"');
        }
      }
      const predictions = instances.map(() => 9.5);
      return reply(200, { predictions: broken ? predictions.slice(1) : predictions, model: { packageArn: 'arn', version: 1 } });
    });
  });
  return { server, seen };
}

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('against a healthy service', () => {
  const { server, seen } = fakeService(false);
  let baseUrl: string;
  beforeAll(async () => (baseUrl = await listen(server)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('every check passes with SigV4-signed requests', async () => {
    const results = await runSmokeTest(`${baseUrl}/predict`, createSigV4Sender({ region: 'eu-west-1', credentials: CREDENTIALS }));
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results.map((r) => r.expectedStatus)).toEqual([200, 200, 200, 200, 400, 400, 400, 400, 400, 400, 415]);
    expect(results[1].name).toContain(String(BATCH_SIZE));
    // At least one request per format, each with its Content-Type, and one with a type the service must refuse.
    expect(new Set(seen.map((s) => s.contentType))).toEqual(new Set([...Object.values(ContentTypes), 'text/plain']));
    for (const { authorization } of seen) {
      expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host/);
    }
  });

  test('the CLI takes --url as the ApiUrl, prints the report and reports success', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const ok = await smokeTest(['--url', baseUrl], { AWS_REGION: 'eu-west-1' }, (region) => createSigV4Sender({ region, credentials: CREDENTIALS }));
    const output = log.mock.calls.map((c) => c.join(' ')).join('\n');
    log.mockRestore();
    expect(ok).toBe(true);
    expect(output).toContain(`all ${smokeCases().length} checks passed`);
  });
});

describe('against a broken service', () => {
  const { server } = fakeService(true);
  let baseUrl: string;
  beforeAll(async () => (baseUrl = await listen(server)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('fails and reports which checks failed and why', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const ok = await smokeTest([], { STAGING_API_URL: `${baseUrl}/`, AWS_REGION: 'eu-west-1' }, (region) =>
      createSigV4Sender({ region, credentials: CREDENTIALS }),
    );
    const report = error.mock.calls.map((c) => c.join(' ')).join('\n');
    jest.restoreAllMocks();
    expect(ok).toBe(false);
    expect(report).toMatch(/FAIL\s+one record\s+200\s+200\s+expected 1 predictions, got 0/);
    expect(report).toMatch(/FAIL\s+unknown sex\s+400\s+500/);
    expect(report).toMatch(/FAIL\s+batch of 5 as CSV\s+200\s+200\s+expected 5 predictions, got 4/);
    expect(report).toMatch(/FAIL\s+CSV row 1 with unknown sex\s+400\s+500/);
    expect(report).toMatch(/PASS\s+body is not JSON/);
    expect(report).toMatch(/PASS\s+columnar body without the shell_weight column/);
    expect(report).toContain('6 of 11 checks failed');
  });
});

test('a request that cannot be sent is a failed check, not a crash', async () => {
  const results = await runSmokeTest('http://127.0.0.1:9/predict', async () => {
    throw new Error('connect ECONNREFUSED');
  });
  expect(results.every((r) => !r.passed && r.detail.includes('ECONNREFUSED'))).toBe(true);
  expect(formatReport(results)).toContain('11 of 11 checks failed');
});

describe('arguments', () => {
  test('fails with a usage error when no URL is given', async () => {
    await expect(smokeTest([], {})).rejects.toThrow(/STAGING_API_URL/);
    await expect(smokeTest([], {})).rejects.toBeInstanceOf(UsageError);
  });

  test('fails with a usage error on an unknown option', async () => {
    await expect(smokeTest(['--endpoint', 'x'], {})).rejects.toBeInstanceOf(UsageError);
  });

  test('fails with a usage error on a malformed URL', async () => {
    await expect(smokeTest(['--url', 'not a url'], {})).rejects.toThrow(/is not a URL/);
  });

  test('fails when the region cannot be determined', async () => {
    await expect(smokeTest(['--url', 'https://api.example.com'], {})).rejects.toThrow(/AWS_REGION/);
  });

  test('the predict URL and region derive from the ApiUrl output', () => {
    const apiUrl = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
    expect(predictUrlFrom(apiUrl)).toBe(`${apiUrl}/predict`);
    expect(predictUrlFrom(`${apiUrl}/predict`)).toBe(`${apiUrl}/predict`);
    expect(regionOf(apiUrl)).toBe('eu-west-1');
    expect(regionOf('https://api.example.com/predict', 'us-east-1')).toBe('us-east-1');
  });
});

describe('request bodies', () => {
  test('the columnar and CSV bodies carry the same rows as the records body, in input order', () => {
    const byName = Object.fromEntries(smokeCases().map((c) => [c.name, c]));
    const records = JSON.parse(byName[`batch of ${BATCH_SIZE}`].body).instances;
    const columnar = JSON.parse(byName[`batch of ${BATCH_SIZE} as columnar JSON`].body);
    const csv = byName[`batch of ${BATCH_SIZE} as CSV`];

    expect(columnar.columns).toEqual(FIELDS);
    expect(columnar.data).toEqual(records.map((r: any) => FIELDS.map((f) => r[f])));
    expect(csv.contentType).toBe('text/csv');
    expect(csv.body.split('\n')).toEqual([...records.map((r: any) => FIELDS.map((f) => String(r[f])).join(',')), '']);
  });
});
