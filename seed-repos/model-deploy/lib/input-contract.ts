import * as fs from 'fs';

/**
 * The deployed model's input contract, read from the `transform.json` of its artifact (schema_version 2,
 * written by ModelBuild; service/app/transform.py reads the same file). The smoke test derives every
 * request from it, so a model with a feature fewer or more is tested with its own fields, bounds and
 * categories, and this repository names no model field anywhere.
 */

/** The only transform.json version this repository reads. */
export const SCHEMA_VERSION = 2;

/** A value of one input field: a number, or a category's name. */
export type FieldValue = string | number;
/** One request record: every input field once. */
export type InputRecord = Readonly<Record<string, FieldValue>>;

export interface InputContract {
  /** Request field order: the order of a columnar body's columns and of a CSV row's cells. */
  readonly inputFields: readonly string[];
  /** The accepted range of each numeric field (a request outside it gets 400). */
  readonly numeric: Readonly<Record<string, { readonly minimum: number; readonly maximum: number }>>;
  /** The categories of each categorical field. */
  readonly categorical: Readonly<Record<string, readonly string[]>>;
  /** Valid request records, as ModelBuild chose them. */
  readonly examples: readonly InputRecord[];
}

/** transform.json is missing, unreadable or not a version 2 input contract. */
export class InputContractError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputContractError';
  }
}

/**
 * Checks a parsed transform.json and returns its input contract.
 * @param source names the file in error messages
 * @throws InputContractError naming the key that is wrong
 */
export function parseInputContract(doc: unknown, source: string): InputContract {
  const fail = (message: string): never => {
    throw new InputContractError(`${source}: ${message}`);
  };
  if (!isObject(doc)) return fail('must hold a JSON object');
  if (doc.schema_version !== SCHEMA_VERSION) {
    fail(`schema_version is ${JSON.stringify(doc.schema_version)}; this repository reads version ${SCHEMA_VERSION}: `
      + 'retrain the model with the current ModelBuild pipeline');
  }
  const inputFields = doc.input_fields;
  if (!Array.isArray(inputFields) || inputFields.length === 0 || !inputFields.every((f) => typeof f === 'string')
    || new Set(inputFields).size !== inputFields.length) {
    return fail('input_fields must be a non-empty list of distinct strings');
  }
  if (!isObject(doc.numeric) || !isObject(doc.categorical)) return fail('numeric and categorical must be objects');
  const numericDoc = doc.numeric;
  const categoricalDoc = doc.categorical;
  const stray = [...Object.keys(numericDoc), ...Object.keys(categoricalDoc)].filter((f) => !inputFields.includes(f));
  if (stray.length > 0) fail(`numeric/categorical name fields that are not input fields: ${stray.join(', ')}`);
  const numeric: Record<string, { minimum: number; maximum: number }> = {};
  const categorical: Record<string, string[]> = {};
  for (const field of inputFields as string[]) {
    if ((field in numericDoc) === (field in categoricalDoc)) fail(`input field "${field}" must be in exactly one of numeric/categorical`);
    if (field in numericDoc) {
      const stats = numericDoc[field];
      const minimum = isObject(stats) ? stats.minimum : undefined;
      const maximum = isObject(stats) ? stats.maximum : undefined;
      if (!isFiniteNumber(minimum) || !isFiniteNumber(maximum) || minimum > maximum) {
        fail(`numeric.${field} must have finite numbers minimum <= maximum, got ${JSON.stringify(stats)}`);
      }
      numeric[field] = { minimum: minimum as number, maximum: maximum as number };
    } else {
      const categories = categoricalDoc[field];
      if (!Array.isArray(categories) || categories.length === 0 || !categories.every((c) => typeof c === 'string')) {
        fail(`categorical.${field} must be a non-empty list of strings`);
      }
      categorical[field] = categories as string[];
    }
  }
  const examples = doc.examples;
  if (!Array.isArray(examples) || examples.length === 0) return fail('examples must be a non-empty list of records');
  examples.forEach((example, i) => {
    const keys = isObject(example) ? Object.keys(example) : [];
    if (keys.length !== inputFields.length || !inputFields.every((f) => keys.includes(f))) {
      fail(`examples[${i}] must have exactly the input fields ${inputFields.join(', ')}`);
    }
    for (const field of inputFields as string[]) {
      const value = (example as Record<string, unknown>)[field];
      const valid = field in numeric
        ? isFiniteNumber(value) && value >= numeric[field].minimum && value <= numeric[field].maximum
        : typeof value === 'string' && categorical[field].includes(value);
      if (!valid) fail(`examples[${i}].${field} is ${JSON.stringify(value)}, which the model does not accept`);
    }
  });
  return { inputFields: inputFields as string[], numeric, categorical, examples: examples as InputRecord[] };
}

/**
 * Reads and checks a transform.json file.
 * @throws InputContractError when it cannot be read, is not JSON, or is not a version 2 contract
 */
export function readInputContract(file: string): InputContract {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputContractError(`cannot read the model's transform.json at ${file}: ${(err as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new InputContractError(`${file} is not valid JSON: ${(err as Error).message}`);
  }
  return parseInputContract(doc, file);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
