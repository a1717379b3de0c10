import { Type } from '@sinclair/typebox';
import { describe, expect, it } from 'vitest';
import { compileSchemaCheck, toFieldErrors, validatorCompiler } from './validation.ts';

describe('compileSchemaCheck', () => {
  const Thing = Type.Object({
    id: Type.String({ format: 'uuid' }),
    at: Type.String({ format: 'date-time' }),
    count: Type.Integer({ minimum: 0 }),
    tags: Type.Optional(Type.Array(Type.String(), { default: [] })),
  });
  const thing = compileSchemaCheck(Thing);

  it('accepts a valid value, extra properties included, and changes nothing', () => {
    const value = { id: '0190b6c2-0000-7000-8000-000000000001', at: '2026-03-02T09:00:00Z', count: 3, extra: true };
    expect(thing.check(value)).toBe(true);
    expect(value).toEqual({ id: '0190b6c2-0000-7000-8000-000000000001', at: '2026-03-02T09:00:00Z', count: 3, extra: true });
  });

  it('does not coerce and checks formats, reporting every field', () => {
    expect(thing.check({ id: 'nope', at: 'yesterday', count: '3' })).toBe(false);
    expect(thing.errors('offering').map((e) => e.field).sort()).toEqual(['offering/at', 'offering/count', 'offering/id']);
    expect(thing.check(null)).toBe(false);
  });
});

describe('toFieldErrors', () => {
  it('reports the fields of a failing if/then branch without a line for the if itself', () => {
    const schema = {
      type: 'object',
      properties: { kind: { type: 'string' }, data: { type: 'object' } },
      allOf: [{ if: { properties: { kind: { const: 'a' } }, required: ['kind'] }, then: { properties: { data: { type: 'object', required: ['x'] } } } }],
    };
    const validate = validatorCompiler({ schema, method: 'POST', url: '/', httpPart: 'body' }) as unknown as ((v: unknown) => boolean) & { errors: never };
    expect(validate({ kind: 'a', data: {} })).toBe(false);
    expect(toFieldErrors(validate.errors, 'body')).toEqual([{ field: 'body/data/x', message: 'is required' }]);
  });
});

describe('messages people can read', () => {
  const validate = validatorCompiler({
    schema: Type.Object({
      day: Type.Union([Type.Literal('mon'), Type.Literal('tue')]),
      id: Type.String({ pattern: '^[0-9a-f]{8}$', description: 'short id' }),
      code: Type.String({ pattern: '^[A-Z]+$' }),
    }),
    httpPart: 'body',
    method: 'POST',
    url: '/x',
  }) as unknown as ((v: unknown) => boolean) & { errors: never };

  it('lists the allowed values of a union of literals once, and says what a pattern means', () => {
    expect(validate({ day: 'sun', id: 'xyz', code: 'abc' })).toBe(false);
    expect(toFieldErrors(validate.errors, 'body')).toEqual([
      { field: 'body/day', message: 'must be one of: mon, tue' },
      { field: 'body/id', message: 'must be a valid short id' },
      { field: 'body/code', message: 'has an invalid format' },
    ]);
  });
});
