// values.schema.json validation, done before helm runs so that errors name the field.
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import Ajv2019 from 'ajv/dist/2019';
import Ajv2020 from 'ajv/dist/2020';
import DRAFT_06 from 'ajv/dist/refs/json-schema-draft-06.json';
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
    const reference = /can't resolve reference/.test((e as Error).message) ? ' (references must point inside the file: nothing is fetched)' : '';
    throw new SaaSplaneError('invalid chart', [`${file} is not a usable JSON Schema: ${(e as Error).message}${reference}; fix the schema`]);
  }
}

/** Compiled validators by schema object: a chart's schema is one object for all its tenants. */
const compiledObjects = new WeakMap<object, ValidateFunction>();

function compile(schema: object): ValidateFunction {
  let validate = compiledObjects.get(schema);
  if (!validate) {
    validate = compileByContent(schema);
    compiledObjects.set(schema, validate);
  }
  return validate;
}

function compileByContent(schema: object): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    const dialect = String((schema as { $schema?: string }).$schema ?? '');
    const options = { allErrors: true, strict: false, logger: false as const };
    const ajv = dialect.includes('2020-12') ? new Ajv2020(options) : dialect.includes('2019-09') ? new Ajv2019(options) : new Ajv(options);
    addFormats(ajv);
    if (dialect.includes('draft-06')) {
      ajv.addMetaSchema(DRAFT_06);
    } else if (dialect && !/draft-0[67]|2019-09|2020-12/.test(dialect)) {
      // helm accepts draft-04 and the unversioned dialect; ajv has no meta-schema for them: read as draft-07 without meta-validation
      const { $schema: _older, ...rest } = schema as { $schema?: string };
      const legacy = new Ajv({ ...options, validateSchema: false });
      addFormats(legacy);
      validate = legacy.compile(fromDraft04(rest));
      compiled.set(key, validate);
      return validate;
    }
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Draft-04's boolean `exclusiveMaximum`/`exclusiveMinimum` beside `maximum`/`minimum`, written as draft-07's numbers. */
function fromDraft04(schema: unknown): any {
  if (Array.isArray(schema)) {
    return schema.map(fromDraft04);
  }
  if (typeof schema !== 'object' || schema === null) {
    return schema;
  }
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    result[key] = fromDraft04(value);
  }
  for (const [bound, exclusive] of [['maximum', 'exclusiveMaximum'], ['minimum', 'exclusiveMinimum']] as const) {
    if (typeof result[exclusive] === 'boolean') {
      if (result[exclusive] && typeof result[bound] === 'number') {
        result[exclusive] = result[bound];
        delete result[bound];
      } else {
        delete result[exclusive];
      }
    }
  }
  return result;
}

/** Value paths whose values a message never repeats. */
const SENSITIVE_PATH = /(password|passwd|secret|token|credential|private|apikey|api_key|(^|\.)key$)/i;

/** Validates values against a chart's values.schema.json; returns one sentence per violation. */
export function schemaProblems(schema: object, values: Values, chart: string): string[] {
  const validate = compile(schema);
  if (validate(values)) {
    return [];
  }
  return (validate.errors ?? []).map((error) => describe(error, values, chart));
}

function describe(error: ErrorObject, values: Values, chart: string): string {
  const segments = error.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'additionalProperties') {
    segments.push(String(error.params.additionalProperty));
  }
  const field = segments.join('.') || '(root)';
  let value: unknown = values;
  for (const segment of segments) {
    value = (value as Record<string, unknown> | undefined)?.[segment];
  }
  // errors reach CI logs (saasplane upgrade-plan): a credential's value is never shown
  const shown = value === undefined ? '' : SENSITIVE_PATH.test(field) ? ' (value not shown: sensitive)' : ` = ${JSON.stringify(value)}`;
  const allowed = error.keyword === 'enum' ? `: allowed values are ${(error.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` : '';
  return `value ${field}${shown} violates ${chart} values.schema.json: ${error.message}${allowed}`;
}
