// A small real HTTP server on 127.0.0.1:0 for tests that play another service of ours:
// the handler sees the request with its body already read, and answers with the JSON and
// problem helpers (the content types and problem shape our services use).
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PlatformErrorCodes } from '../errors.ts';
import { PROBLEM_CONTENT_TYPE, problemType } from '../service.ts';

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

export interface ReceivedRequest {
  method: string;
  /** Path and query exactly as received. */
  url: string;
  /** The path without the query, as received (not decoded, not normalised). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** The body as received (empty when there was none). */
  body: Buffer;
  /** The body parsed as JSON; undefined when there was none. */
  json<T = unknown>(): T | undefined;
  /** The underlying request, e.g. to cut the connection: `req.raw.socket.destroy()`. */
  raw: IncomingMessage;
}

/** Answers the request on `res` (now or later); a throw or rejection answers 500. */
export type RequestHandler = (req: ReceivedRequest, res: ServerResponse) => unknown;

export interface JsonServer {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Cuts open connections and stops listening; safe to call more than once. */
  close(): Promise<void>;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': JSON_CONTENT_TYPE, ...headers }).end(JSON.stringify(body));
}

/**
 * An RFC 9457 problem as our services answer it: type and title follow from the code
 * (title: the platform's, else the code) unless `fields` gives them; `fields` come last.
 */
export function sendProblem(res: ServerResponse, status: number, code: string, fields: Record<string, unknown> = {}): void {
  const title = (PlatformErrorCodes as Record<string, { title: string } | undefined>)[code]?.title ?? code;
  res.writeHead(status, { 'content-type': PROBLEM_CONTENT_TYPE }).end(JSON.stringify({ type: problemType(code), title, status, code, ...fields }));
}

function received(raw: IncomingMessage, body: Buffer): ReceivedRequest {
  const url = raw.url ?? '/';
  const q = url.indexOf('?');
  return {
    method: raw.method ?? '',
    url,
    path: q === -1 ? url : url.slice(0, q),
    query: new URLSearchParams(q === -1 ? '' : url.slice(q + 1)),
    headers: raw.headers,
    body,
    json: <T>() => (body.length === 0 ? undefined : (JSON.parse(body.toString('utf8')) as T)),
    raw,
  };
}

export async function startJsonServer(handler: RequestHandler): Promise<JsonServer> {
  const server = createServer((raw, res) => {
    const chunks: Buffer[] = [];
    raw.on('data', (c: Buffer) => chunks.push(c));
    raw.on('end', () => {
      Promise.resolve()
        .then(() => handler(received(raw, Buffer.concat(chunks)), res))
        .catch((err: unknown) => {
          if (res.headersSent) res.destroy();
          else sendProblem(res, 500, 'INTERNAL', { detail: `test server handler failed: ${String(err)}` });
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!server.listening) return resolve(); // a test may close it early
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
