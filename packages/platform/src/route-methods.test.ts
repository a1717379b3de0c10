import { describe, expect, it } from 'vitest';
import { routePattern } from './route-methods.ts';

describe('routePattern', () => {
  const cases: Array<[string, string[], string[]]> = [
    ['/api/v1/offerings', ['/api/v1/offerings', '/api/v1/offerings/'], ['/api/v1/offerings/x', '/api/v1/offeringsx', '/api/v1']],
    ['/api/v1/offerings/:id', ['/api/v1/offerings/abc', '/api/v1/offerings/abc/'], ['/api/v1/offerings', '/api/v1/offerings/a/b']],
    ['/a/:from-:to', ['/a/1-2'], ['/a/1/2']],
    ['/files/*', ['/files/', '/files/a/b/c'], ['/file']],
    ['/n/:id(^\\d+$)', ['/n/42'], ['/n/x42', '/n/42x']],
    ['/time/::literal', ['/time/:literal'], ['/time/other']],
    ['/a.b/(c)', ['/a.b/(c)'], ['/aXb/(c)', '/a.b/c']],
  ];
  for (const [url, matching, other] of cases) {
    it(`matches ${url} as the router does`, () => {
      const pattern = routePattern(url);
      for (const path of matching) expect(pattern.test(path), path).toBe(true);
      for (const path of other) expect(pattern.test(path), path).toBe(false);
    });
  }
});
