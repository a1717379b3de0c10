import { describe, expect, it } from 'vitest';
import { pathProblem } from './path-guard.ts';

describe('path guard', () => {
  it.each([
    '/api/v1/booking/appointments',
    '/api/v1/providers/0190b6c2-0000-7000-8000-000000000001',
    '/api/v1/catalog/search?q=cardiologia&near=..%2F..&x=%00', // the query is the service's business
    '/api/v1/catalog/services/caf%C3%A9',
    '/api/v1/auth/.well-known/jwks.json',
    '/api/v1/catalog/services/a.b..c',
    '/api/v1/booking/',
    '/docs',
  ])('accepts %s', (url) => {
    expect(pathProblem(url)).toBeUndefined();
  });

  it.each([
    ['/api/v1/booking/../internal/x', 'dot segment'],
    ['/api/v1/booking/..', 'dot segment'],
    ['/api/v1/booking/./x', 'dot segment'],
    ['/api/v1/booking/%2e%2e/internal', 'dot segment'],
    ['/api/v1/booking/%2E%2E/internal', 'dot segment'],
    ['/api/v1/booking/.%2E/internal', 'dot segment'],
    ['/api/v1/booking/%252e%252e/internal', 'dot segment'],
    ['/api/v1/booking/%25252e%25252e/internal', 'dot segment'],
    ['/api/v1/booking//internal', 'empty path segment'],
    ['//api/v1/booking', 'empty path segment'],
    ['/api/v1/booking\\..\\internal', 'backslash'],
    ['/api/v1/booking/%5c..%5cinternal', 'encoded slash'],
    ['/api/v1/booking/a%2Finternal', 'encoded slash'],
    ['/api/v1/booking/a%2finternal', 'encoded slash'],
    ['/api/v1/booking/a%252Finternal', 'encoded slash'],
    ['/api/v1/booking/a%00b', 'encoded slash, backslash or control'],
    ['/api/v1/booking/a%2500b', 'encoded slash, backslash or control'],
    ['/api/v1/booking/a\u0000b', 'control character'],
    ['/api/v1/booking/a%0d%0aSet-Cookie:x', 'control'],
    ['/api/v1/booking/%zz', 'malformed'],
    ['/api/v1/booking/%c0%ae%c0%ae/x', 'malformed'],
    ['/api/v1/booking/%2525252525252e', 'too many'],
    ['http://evil.example/api/v1/booking', 'must be a path'],
    ['*', 'must be a path'],
  ])('refuses %s', (url, why) => {
    expect(pathProblem(url)).toContain(why);
  });
});
