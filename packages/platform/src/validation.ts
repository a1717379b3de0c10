// Request validation: every field error is reported, nothing unknown is silently dropped.
// Bodies are validated strictly (no type coercion: "45" is not a number in JSON);
// querystring, params and headers are strings on the wire and are coerced.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import type { Static, TSchema } from '@sinclair/typebox';
import type { FastifySchemaCompiler } from 'fastify';
import type { FieldError } from './errors.ts';

function makeAjv(coerce: boolean) {
  const ajv = new Ajv.default({
    allErrors: true,
    coerceTypes: coerce ? 'array' : false,
    removeAdditional: false,
    useDefaults: true,
    strict: false,
    // Errors carry their schema, so messages can say what a pattern means instead of
    // showing the regular expression.
    verbose: true,
  });
  addFormats.default(ajv);
  return ajv;
}

const strictAjv = makeAjv(false);
const coercingAjv = makeAjv(true);

// Ajv coerces any string that JavaScript reads as a number ("0x10", "1e1", " 5 ").
// On the wire a number is written in plain decimal; anything else is refused.
const DECIMAL = { integer: /^-?\d+$/, number: /^-?\d+(\.\d+)?$/ } as const;

/** Top-level properties of an object schema that are plain integers or numbers. */
function numericProperties(schema: unknown): Array<[string, keyof typeof DECIMAL]> {
  const props = (schema as { properties?: Record<string, { type?: unknown }> } | null)?.properties;
  if (!props || typeof props !== 'object') return [];
  return Object.entries(props).flatMap(([name, sub]) => (sub?.type === 'integer' || sub?.type === 'number' ? [[name, sub.type] as [string, keyof typeof DECIMAL]] : []));
}

type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

function decimalOnly(validate: CompiledValidator, numeric: Array<[string, keyof typeof DECIMAL]>): CompiledValidator {
  const wrapped: CompiledValidator = (data: unknown) => {
    const notDecimal: ErrorObject[] = [];
    if (data && typeof data === 'object') {
      for (const [name, type] of numeric) {
        const value = (data as Record<string, unknown>)[name];
        if (typeof value === 'string' && !DECIMAL[type].test(value)) {
          notDecimal.push({ instancePath: `/${name}`, schemaPath: `#/properties/${name}/type`, keyword: 'type', params: { type }, message: `must be ${type === 'integer' ? 'an integer' : 'a number'} written in decimal digits` });
        }
      }
    }
    const ok = validate(data);
    if (ok && notDecimal.length === 0) {
      wrapped.errors = null;
      return true;
    }
    const reported = new Set(notDecimal.map((e) => e.instancePath));
    wrapped.errors = [...notDecimal, ...(validate.errors ?? []).filter((e) => !reported.has(e.instancePath))];
    return false;
  };
  return wrapped;
}

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  if (httpPart === 'body') return strictAjv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
  const validate = coercingAjv.compile(schema as object) as CompiledValidator;
  const numeric = numericProperties(schema);
  return (numeric.length ? decimalOnly(validate, numeric) : validate) as ReturnType<FastifySchemaCompiler<unknown>>;
};

const partName: Record<string, string> = { querystring: 'query', params: 'path', body: 'body', headers: 'header' };

/** What a failed `pattern` means, in words, from the schema's description when it has one. */
function patternMessage(raw: ErrorObject): string {
  const description = (raw.parentSchema as { description?: unknown } | undefined)?.description;
  return typeof description === 'string' && description ? `must be a valid ${description}` : 'has an invalid format';
}

export function toFieldErrors(errors: ErrorObject[] | Array<Record<string, unknown>>, context?: string): FieldError[] {
  const prefix = partName[context ?? 'body'] ?? context ?? 'body';
  const list = errors as ErrorObject[];
  // A union of literals (TypeBox's Union of Literal) fails as one `const` error per member
  // plus an `anyOf`: report it once, as the list of allowed values.
  const allowedByPath = new Map<string, unknown[]>();
  for (const raw of list) {
    if (raw.keyword !== 'const') continue;
    const values = allowedByPath.get(raw.instancePath) ?? [];
    values.push((raw.params as { allowedValue?: unknown }).allowedValue);
    allowedByPath.set(raw.instancePath, values);
  }
  const seen = new Set<string>();
  const out: FieldError[] = [];
  for (const raw of list) {
    // An if/then failure is already reported by the errors of its `then` branch.
    if (raw.keyword === 'if') continue;
    const allowed = allowedByPath.get(raw.instancePath);
    if (allowed && raw.keyword === 'const') continue;
    let path = (raw.instancePath ?? '').replace(/^\//, '');
    const params = (raw.params ?? {}) as Record<string, unknown>;
    if (raw.keyword === 'required' && typeof params.missingProperty === 'string') {
      path = path ? `${path}/${params.missingProperty}` : params.missingProperty;
    }
    if (raw.keyword === 'additionalProperties' && typeof params.additionalProperty === 'string') {
      path = path ? `${path}/${params.additionalProperty}` : params.additionalProperty;
    }
    const field = path ? `${prefix}/${path}` : prefix;
    let message = raw.message ?? 'is invalid';
    if (raw.keyword === 'additionalProperties') message = 'is not an allowed property';
    if (raw.keyword === 'required') message = 'is required';
    if (raw.keyword === 'enum' && Array.isArray(params.allowedValues)) message = `must be one of: ${params.allowedValues.join(', ')}`;
    if (raw.keyword === 'anyOf' && allowed) message = `must be one of: ${allowed.map(String).join(', ')}`;
    if (raw.keyword === 'pattern') message = patternMessage(raw);
    const key = `${field}|${message}`;
    // anyOf/union failures repeat themselves; keep one line per field and message
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ field, message });
  }
  return out;
}

const checkAjv = (() => {
  const ajv = new Ajv.default({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false });
  addFormats.default(ajv);
  return ajv;
})();

export interface SchemaCheck<T> {
  /** Narrows `value` to the schema's type; never coerces or fills in defaults. */
  check(value: unknown): value is T;
  /** Every problem of the last failed check(), as field errors rooted at `root`. */
  errors(root?: string): FieldError[];
}

/**
 * A checker for data that crosses a process boundary without going through a route schema:
 * answers of other services, events. Same formats as request validation, but strict and
 * read-only (no coercion, no defaults), so what passes is exactly what was received.
 */
export function compileSchemaCheck<T extends TSchema>(schema: T): SchemaCheck<Static<T>> {
  const validate = checkAjv.compile(schema as object);
  return {
    check: (value: unknown): value is Static<T> => validate(value) === true,
    errors: (root = 'body') => toFieldErrors(validate.errors ?? [], root),
  };
}
