import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { InputContractError, parseInputContract, readInputContract, SCHEMA_VERSION } from '../lib/input-contract';

/** What service/scripts/train_local_model.py writes for the committed sample (a Python test keeps the two equal). */
const FIXTURE = path.join(__dirname, 'fixtures', 'transform.json');
const valid = () => JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
const numericField = () => Object.keys(valid().numeric)[0];
const categoricalField = () => Object.keys(valid().categorical)[0];

test('reads the fields, bounds, categories and examples of a version 2 transform.json', () => {
  const doc = valid();
  const contract = readInputContract(FIXTURE);

  expect(SCHEMA_VERSION).toBe(2);
  expect(contract.inputFields).toEqual(doc.input_fields);
  for (const [field, stats] of Object.entries<any>(doc.numeric)) {
    expect(contract.numeric[field]).toEqual({ minimum: stats.minimum, maximum: stats.maximum });
  }
  expect(contract.categorical).toEqual(doc.categorical);
  expect(contract.examples).toEqual(doc.examples);
});

test.each<[string, (doc: any) => void, RegExp]>([
  ['version 1', (d) => (d.schema_version = 1), /schema_version is 1; this repository reads version 2: retrain the model with the current ModelBuild/],
  ['no input fields', (d) => (d.input_fields = []), /input_fields must be a non-empty list of distinct strings/],
  ['duplicate input fields', (d) => d.input_fields.push(d.input_fields[0]), /input_fields must be a non-empty list of distinct strings/],
  ['a field in neither part', (d) => delete d.numeric[numericField()], /input field ".+" must be in exactly one of numeric\/categorical/],
  ['a stray numeric entry', (d) => (d.numeric.stray = { minimum: 0, maximum: 1 }), /not input fields: stray/],
  ['minimum above maximum', (d) => (d.numeric[numericField()].minimum = d.numeric[numericField()].maximum + 1), /minimum <= maximum/],
  ['maximum missing', (d) => delete d.numeric[numericField()].maximum, /numeric\..+ must have finite numbers minimum <= maximum/],
  ['no categories', (d) => (d.categorical[categoricalField()] = []), /categorical\..+ must be a non-empty list of strings/],
  ['no examples', (d) => (d.examples = []), /examples must be a non-empty list of records/],
  ['an example without a field', (d) => delete d.examples[1][numericField()], /examples\[1\] must have exactly the input fields/],
  ['an example with an extra field', (d) => (d.examples[0][d.target] = 9), /examples\[0\] must have exactly the input fields/],
  ['an example out of range', (d) => (d.examples[0][numericField()] = d.numeric[numericField()].maximum * 2 + 1),
    /examples\[0\]\..+ is .*, which the model does not accept/],
  ['an example with an unknown category', (d) => (d.examples[2][categoricalField()] = 'nope'), /examples\[2\]\..+ is "nope"/],
])('refuses a transform.json with %s, naming the problem', (_name, edit, message) => {
  const doc = valid();
  edit(doc);

  expect(() => parseInputContract(doc, 'transform.json')).toThrow(InputContractError);
  expect(() => parseInputContract(doc, 'transform.json')).toThrow(message);
});

test('a file that is missing or not JSON is an InputContractError naming it', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'contract-'));
  fs.writeFileSync(path.join(dir, 'transform.json'), '{"schema_version": ');

  expect(() => readInputContract(path.join(dir, 'absent.json'))).toThrow(/cannot read the model's transform.json at .*absent.json/);
  expect(() => readInputContract(path.join(dir, 'transform.json'))).toThrow(/transform.json is not valid JSON/);
  expect(() => parseInputContract([], 'x.json')).toThrow(/x.json: must hold a JSON object/);
});
