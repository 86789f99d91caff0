import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { UsageError } from '../lib/cli';
import { InputContract, InputContractError, readInputContract } from '../lib/input-contract';
import { ContentTypes, createSigV4Sender, formatReport, predictUrlFrom, regionOf, runSmokeTest, smokeCases, unknownCategory } from '../lib/smoke-test';
import { ServiceLimits } from '../lib/template-contract';
import { smokeTest } from '../scripts/smoke-test';

const CREDENTIALS = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
const ROOT = path.join(__dirname, '..');
/** What service/scripts/train_local_model.py writes for the committed sample (a Python test keeps the two equal). */
const FIXTURE = path.join(__dirname, 'fixtures', 'transform.json');

/** The fixture with its first numeric field dropped, a numeric field added and its categorical field renamed. */
function variantTransform(): { file: string; dropped: string; added: string; renamed: string } {
  const doc = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  const dropped = Object.keys(doc.numeric)[0];
  const renamed = Object.keys(doc.categorical)[0];
  const added = 'added_measure';
  const rename = (f: string) => (f === renamed ? 'kind' : f);
  delete doc.numeric[dropped];
  doc.numeric[added] = { mean: 50, std: 10, minimum: 10, maximum: 100, observed_minimum: 20, observed_maximum: 70 };
  doc.categorical = { kind: doc.categorical[renamed] };
  doc.input_fields = [...doc.input_fields.filter((f: string) => f !== dropped).map(rename), added];
  doc.feature_names = doc.feature_names.filter((f: string) => f !== dropped).map((f: string) => f.replace(`${renamed}_`, 'kind_')).concat(added);
  doc.examples = doc.examples.map((e: Record<string, unknown>, i: number) => {
    const { [dropped]: _gone, [renamed]: category, ...rest } = e;
    return { ...rest, kind: category, [added]: 30 + 10 * i };
  });
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-')), 'transform.json');
  fs.writeFileSync(file, JSON.stringify(doc));
  return { file, dropped, added, renamed };
}

/**
 * Answers like the inference service does (its three request formats, and its validation from the same
 * input contract); `broken` makes it misbehave the way a bad deployment would.
 */
function fakeService(contract: InputContract, broken: boolean) {
  const fields = contract.inputFields;
  const seen: Array<{ authorization?: string; path?: string; contentType?: string; body: string }> = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      seen.push({ authorization: req.headers.authorization, path: req.url, contentType: req.headers['content-type'], body });
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
        instances = rows.map((cells) => Object.fromEntries(fields.map((f, i) => [f, f in contract.numeric ? Number(cells[i]) : cells[i]])));
      } else if (contentType === ContentTypes.records || contentType === ContentTypes.columnar) {
        let parsed: any;
        try {
          parsed = JSON.parse(body);
        } catch {
          return error(null, 'request body is not valid JSON');
        }
        if (contentType === ContentTypes.columnar) {
          const missingColumn = fields.find((f) => !parsed.columns.includes(f));
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
        const missing = fields.find((f) => !(f in record));
        if (missing) return error(missing, `missing required field "${missing}"`);
        for (const [field, categories] of Object.entries(contract.categorical)) {
          if (!categories.map((c) => c.toLowerCase()).includes(String(record[field]).toLowerCase())) {
            return broken ? reply(500, { message: 'Internal Server Error' }) : error(field, `unknown "${field}"`);
          }
        }
        for (const [field, { minimum, maximum }] of Object.entries(contract.numeric)) {
          if (!(record[field] >= minimum && record[field] <= maximum)) return error(field, `"${field}" is out of range`);
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

const fixture = readInputContract(FIXTURE);
const variant = variantTransform();

describe.each([
  ['the committed sample\'s model', FIXTURE],
  ['a model with a feature dropped, one added and its category field renamed', variant.file],
])('against a healthy service for %s', (_name, transformFile) => {
  const contract = readInputContract(transformFile);
  const { server, seen } = fakeService(contract, false);
  let baseUrl: string;
  beforeAll(async () => (baseUrl = await listen(server)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('every check passes with SigV4-signed requests, in every format, from the model\'s examples', async () => {
    const cases = smokeCases(contract);
    const results = await runSmokeTest(`${baseUrl}/predict`, createSigV4Sender({ region: 'eu-west-1', credentials: CREDENTIALS }), cases);
    expect(results.filter((r) => !r.passed)).toEqual([]);
    expect(results.map((r) => r.expectedStatus)).toEqual([200, 200, 200, 200, 400, 400, 400, 400, 400, 400, 400, 415]);
    expect(results[1].name).toBe(`batch of ${contract.examples.length}`);
    expect(JSON.parse(cases[1].body)).toEqual({ instances: contract.examples });
    // At least one request per format, each with its Content-Type, and one with a type the service must refuse.
    expect(new Set(seen.map((s) => s.contentType))).toEqual(new Set([...Object.values(ContentTypes), 'text/plain']));
    for (const { authorization } of seen) {
      expect(authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[^,]*host/);
    }
  });

  test('the CLI takes --url and --transform, prints the report and reports success', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const ok = await smokeTest(['--url', baseUrl, '--transform', transformFile], { AWS_REGION: 'eu-west-1' },
      (region) => createSigV4Sender({ region, credentials: CREDENTIALS }));
    const output = log.mock.calls.map((c) => c.join(' ')).join('\n');
    log.mockRestore();
    expect(ok).toBe(true);
    expect(output).toContain(`with the input contract of ${transformFile}`);
    expect(output).toContain(`all ${smokeCases(contract).length} checks passed`);
  });
});

describe('the requests follow the model\'s input contract', () => {
  const contract = readInputContract(variant.file);
  const cases = smokeCases(contract);
  const byName = Object.fromEntries(cases.map((c) => [c.name, c]));

  test('a model with other fields gets requests with exactly its fields, never the fields of another model', () => {
    const okBodies = cases.filter((c) => c.expectedStatus === 200).map((c) => c.body);
    for (const body of okBodies) {
      expect(body).not.toContain(variant.dropped);
      expect(body).not.toContain(`"${variant.renamed}"`);
    }
    expect(JSON.parse(byName[`batch of ${contract.examples.length}`].body).instances.every((r: object) => Object.keys(r).length === contract.inputFields.length)).toBe(true);
  });

  test('the bad requests are an unknown category, a number beyond the maximum and a missing field, each named', () => {
    const { maximum } = contract.numeric[Object.keys(contract.numeric)[0]];
    const outOfRange = cases.find((c) => c.name.includes('above its maximum'))!;
    const [field] = Object.keys(contract.numeric);
    expect(JSON.parse(outOfRange.body).instances[0][field]).toBeGreaterThan(maximum);
    expect(JSON.parse(byName['unknown kind'].body).instances[0].kind).toBe(unknownCategory(contract.categorical.kind));
    const last = contract.inputFields[contract.inputFields.length - 1];
    expect(JSON.parse(byName[`missing field ${last}`].body).instances[0]).not.toHaveProperty(last);
    expect(JSON.parse(byName[`columnar body without the ${last} column`].body).columns).toEqual(contract.inputFields.slice(0, -1));
  });

  test('the columnar and CSV bodies carry the same rows as the records body, in input order', () => {
    const batch = contract.examples.length;
    const records = JSON.parse(byName[`batch of ${batch}`].body).instances;
    const columnar = JSON.parse(byName[`batch of ${batch} as columnar JSON`].body);
    const csv = byName[`batch of ${batch} as CSV`];
    const fields = contract.inputFields;

    expect(columnar.columns).toEqual(fields);
    expect(columnar.data).toEqual(records.map((r: any) => fields.map((f) => r[f])));
    expect(csv.contentType).toBe('text/csv');
    expect(csv.body.split('\n')).toEqual([...records.map((r: any) => fields.map((f) => String(r[f])).join(',')), '']);
  });

  test('an unknown category is none of the categories in any letter case', () => {
    expect(unknownCategory(['F', 'I', 'M'])).toBe('unknown');
    expect(unknownCategory(['Unknown', 'known'])).toBe('unknown-x');
  });

  test('a model without categorical fields gets no category checks, and the other checks still', () => {
    const numericOnly: InputContract = {
      inputFields: ['a', 'b'], numeric: { a: { minimum: 0, maximum: 1 }, b: { minimum: -5, maximum: 5 } }, categorical: {},
      examples: [{ a: 0.5, b: 1 }],
    };
    const names = smokeCases(numericOnly).map((c) => c.name);
    expect(names.some((n) => n.includes('unknown'))).toBe(false);
    expect(names).toContain('a above its maximum 1');
    expect(names).toContain('missing field b');
  });
});

describe('against a broken service', () => {
  const { server } = fakeService(fixture, true);
  let baseUrl: string;
  beforeAll(async () => (baseUrl = await listen(server)));
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  test('fails and reports which checks failed and why', async () => {
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    jest.spyOn(console, 'log').mockImplementation(() => undefined);
    const ok = await smokeTest([], { STAGING_API_URL: `${baseUrl}/`, AWS_REGION: 'eu-west-1', MODEL_TRANSFORM_FILE: FIXTURE }, (region) =>
      createSigV4Sender({ region, credentials: CREDENTIALS }),
    );
    const report = error.mock.calls.map((c) => c.join(' ')).join('\n');
    jest.restoreAllMocks();
    const [category] = Object.keys(fixture.categorical);
    const batch = fixture.examples.length;
    expect(ok).toBe(false);
    expect(report).toMatch(/FAIL\s+one record\s+200\s+200\s+expected 1 predictions, got 0/);
    expect(report).toMatch(new RegExp(`FAIL\\s+unknown ${category}\\s+400\\s+500`));
    expect(report).toMatch(new RegExp(`FAIL\\s+batch of ${batch} as CSV\\s+200\\s+200\\s+expected ${batch} predictions, got ${batch - 1}`));
    expect(report).toMatch(new RegExp(`FAIL\\s+CSV row 1 with unknown ${category}\\s+400\\s+500`));
    expect(report).toMatch(/PASS\s+body is not JSON/);
    expect(report).toMatch(/PASS\s+\S+ above its maximum/);
    expect(report).toContain('6 of 12 checks failed');
  });
});

test('a request that cannot be sent is a failed check, not a crash', async () => {
  const results = await runSmokeTest('http://127.0.0.1:9/predict', async () => {
    throw new Error('connect ECONNREFUSED');
  }, smokeCases(fixture));
  expect(results.every((r) => !r.passed && r.detail.includes('ECONNREFUSED'))).toBe(true);
  expect(formatReport(results)).toContain('12 of 12 checks failed');
});

describe('arguments', () => {
  const URL_ARGS = ['--url', 'https://abc123.execute-api.eu-west-1.amazonaws.com'];

  test('fails with a usage error when no URL is given', async () => {
    await expect(smokeTest([], {})).rejects.toThrow(/STAGING_API_URL/);
    await expect(smokeTest([], {})).rejects.toBeInstanceOf(UsageError);
  });

  test('fails with a usage error when no transform.json is given', async () => {
    await expect(smokeTest(URL_ARGS, {})).rejects.toThrow(/--transform <transform.json> or set MODEL_TRANSFORM_FILE/);
    await expect(smokeTest(URL_ARGS, {})).rejects.toBeInstanceOf(UsageError);
  });

  test('fails naming the file when the transform.json is missing or not a version 2 contract', async () => {
    await expect(smokeTest([...URL_ARGS, '--transform', '/nonexistent/transform.json'], {})).rejects.toThrow(/cannot read the model's transform.json at \/nonexistent/);
    const old = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'smoke-')), 'transform.json');
    fs.writeFileSync(old, JSON.stringify({ ...JSON.parse(fs.readFileSync(FIXTURE, 'utf8')), schema_version: 1 }));
    await expect(smokeTest(URL_ARGS, { MODEL_TRANSFORM_FILE: old })).rejects.toThrow(InputContractError);
    await expect(smokeTest(URL_ARGS, { MODEL_TRANSFORM_FILE: old })).rejects.toThrow(/retrain the model with the current ModelBuild pipeline/);
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

describe('the pipeline hands the deployed model\'s transform.json to the staging test', () => {
  test('the deploy build puts the unpacked model\'s transform.json at the root of its output artifact', () => {
    const buildspec = fs.readFileSync(path.join(ROOT, 'buildspec.yml'), 'utf8');
    const artifacts = buildspec.slice(buildspec.indexOf('\nartifacts:'));
    expect(artifacts).toMatch(/\n\s+- service\/model\/transform\.json\n/);
    expect(artifacts).toMatch(/\n\s+discard-paths: yes/);
  });

  test('the staging test reads it from the Build input, which CodeBuild unpacks at $CODEBUILD_SRC_DIR_Build', () => {
    const testspec = fs.readFileSync(path.join(ROOT, 'buildspec-staging-test.yml'), 'utf8');
    expect(testspec).toMatch(/- MODEL_TRANSFORM_FILE="\$CODEBUILD_SRC_DIR_Build\/transform\.json" npm run smoke-test\n/);
  });
});
