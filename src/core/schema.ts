// values.schema.json validation, done before helm runs so that errors name the field.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { SaaSplaneError } from './errors';
import type { Values } from './values';

// keyed by the schema's text: every load of a chart parses a new object, compiling is the costly part
const compiled = new Map<string, ValidateFunction>();

/**
 * Checks that a chart's values.schema.json is a JSON Schema saasplane can apply: an object that
 * its dialect's meta-schema accepts, with valid patterns and no reference outside the file
 * (nothing is fetched from the network). Throws a SaaSplaneError naming the file otherwise.
 */
export function checkValuesSchema(schema: unknown, file: string): asserts schema is object {
  if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) {
    throw new SaaSplaneError('invalid chart', [`${file} holds ${JSON.stringify(schema)?.slice(0, 40)}, not a JSON Schema object: write { "type": "object", "properties": { ... } }, or remove the file`]);
  }
  try {
    compile(schema);
  } catch (e) {
    throw new SaaSplaneError('invalid chart', [`${file} is not a usable JSON Schema: ${(e as Error).message}; fix the schema (references must point inside the file)`]);
  }
}

function compile(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    const dialect = String((schema as { $schema?: string }).$schema ?? '');
    const options = { allErrors: true, strict: false, logger: false as const };
    const ajv = dialect.includes('2020-12') ? new Ajv2020(options) : dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
    addFormats(ajv);
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Validates values against a chart's values.schema.json; returns one sentence per violation. */
export function schemaProblems(schema: object, values: Values, chartName: string): string[] {
  const validate = compile(schema);
  if (validate(values)) {
    return [];
  }
  return (validate.errors ?? []).map((error) => describe(error, values, chartName));
}

function describe(error: ErrorObject, values: Values, chartName: string): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') {
    segments.push(String(error.params.additionalProperty));
  }
  const field = segments.join('.') || '(root)';
  let value: unknown = values;
  for (const segment of segments) {
    value = (value as Record<string, unknown> | undefined)?.[segment];
  }
  const shown = value === undefined ? '' : ` = ${JSON.stringify(value)}`;
  const allowed = error.keyword === 'enum' ? `: allowed values are ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : '';
  return `value ${field}${shown} violates chart "${chartName}" values.schema.json: ${error.message}${allowed}`;
}
