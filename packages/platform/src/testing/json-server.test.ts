import { describe, expect, it } from 'vitest';
import { sendJson, sendProblem, startJsonServer, type ReceivedRequest } from './json-server.ts';

describe('test JSON server', () => {
  it('listens on 127.0.0.1, hands the handler the request with its body read, and answers JSON', async () => {
    const seen: ReceivedRequest[] = [];
    const server = await startJsonServer((req, res) => {
      seen.push(req);
      sendJson(res, 201, { echo: req.json() }, { 'x-extra': 'yes' });
    });
    try {
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const res = await fetch(`${server.url}/api/v1/things/a%20b?x=1&y=2`, { method: 'PUT', headers: { 'content-type': 'application/json', 'x-request-id': 'r1' }, body: JSON.stringify({ a: 1 }) });
      expect(res.status).toBe(201);
      expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(res.headers.get('x-extra')).toBe('yes');
      expect(await res.json()).toEqual({ echo: { a: 1 } });
      const [req] = seen;
      expect(req).toMatchObject({ method: 'PUT', url: '/api/v1/things/a%20b?x=1&y=2', path: '/api/v1/things/a%20b' });
      expect(req?.query.get('y')).toBe('2');
      expect(req?.headers['x-request-id']).toBe('r1');
      expect(req?.body.toString('utf8')).toBe('{"a":1}');
    } finally {
      await server.close();
    }
  });

  it('answers problems in our shape, and 500 when the handler throws', async () => {
    const server = await startJsonServer((req, res) => {
      if (req.path === '/boom') throw new Error('boom');
      if (req.path === '/custom') return sendProblem(res, 404, 'CATALOG_OFFERING_NOT_FOUND', { detail: 'no such offering' });
      sendProblem(res, 404, 'NOT_FOUND');
    });
    try {
      const res = await fetch(`${server.url}/nothing`);
      expect(res.status).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
      expect(await res.json()).toEqual({ type: '/problems/not-found', title: 'Not found', status: 404, code: 'NOT_FOUND' });
      expect(await (await fetch(`${server.url}/custom`)).json()).toEqual({
        type: '/problems/catalog-offering-not-found',
        title: 'CATALOG_OFFERING_NOT_FOUND',
        status: 404,
        code: 'CATALOG_OFFERING_NOT_FOUND',
        detail: 'no such offering',
      });
      const boom = await fetch(`${server.url}/boom`);
      expect(boom.status).toBe(500);
      expect(await boom.json()).toMatchObject({ code: 'INTERNAL' });
    } finally {
      await server.close();
    }
  });

  it('closes with connections still open, and a second close is harmless', async () => {
    let arrived!: () => void;
    const reached = new Promise<void>((resolve) => (arrived = resolve));
    const server = await startJsonServer(() => arrived()); // never answers
    const pending = fetch(`${server.url}/hang`).catch((err: unknown) => err);
    await reached;
    await server.close();
    await server.close();
    expect(await pending).toBeInstanceOf(Error);
    await expect(fetch(`${server.url}/again`)).rejects.toThrow();
  });
});
