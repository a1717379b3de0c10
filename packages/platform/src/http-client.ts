// Service-to-service HTTP over undici: keep-alive, timeouts, the caller's request id
// passed on, retries only for idempotent calls. Failures become stable error codes.
import { Agent, request, errors as undiciErrors } from 'undici';
import { AppError } from './errors.ts';

export interface HttpClientOptions {
  baseUrl: string;
  /** Name of the downstream service, for messages and logs. */
  name: string;
  timeoutMs?: number;
  retries?: number;
}

export interface CallOptions {
  headers?: Record<string, string | undefined>;
  body?: unknown;
  requestId?: string;
  /** Safe to send again after a network failure (GET is; POSTs only with an idempotency key). */
  idempotent?: boolean;
  timeoutMs?: number;
}

export interface HttpResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface HttpClient {
  call<T = unknown>(method: string, path: string, opts?: CallOptions): Promise<HttpResponse<T>>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createHttpClient(opts: HttpClientOptions): HttpClient {
  const timeout = opts.timeoutMs ?? 5_000;
  const dispatcher = new Agent({ keepAliveTimeout: 10_000, connections: 64, connectTimeout: Math.min(timeout, 3_000) });
  const base = opts.baseUrl.replace(/\/+$/, '');
  return {
    async call<T>(method: string, path: string, call: CallOptions = {}): Promise<HttpResponse<T>> {
      const idempotent = call.idempotent ?? (method === 'GET' || method === 'HEAD');
      const attempts = idempotent ? 1 + (opts.retries ?? 2) : 1;
      const headers: Record<string, string> = { accept: 'application/json' };
      for (const [k, v] of Object.entries(call.headers ?? {})) if (v !== undefined) headers[k.toLowerCase()] = v;
      if (call.requestId) headers['x-request-id'] = call.requestId;
      let payload: string | undefined;
      if (call.body !== undefined) {
        payload = JSON.stringify(call.body);
        headers['content-type'] = 'application/json';
      }
      let lastErr: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          const t = call.timeoutMs ?? timeout;
          const res = await request(`${base}${path}`, {
            method: method as 'GET',
            headers,
            body: payload,
            dispatcher,
            headersTimeout: t,
            bodyTimeout: t,
          });
          const text = await res.body.text();
          const ct = String(res.headers['content-type'] ?? '');
          const body = (text && /json/.test(ct) ? JSON.parse(text) : text) as T;
          return { status: res.statusCode, headers: res.headers, body };
        } catch (err) {
          lastErr = err;
          if (attempt < attempts) await sleep(50 * 2 ** attempt);
        }
      }
      const timedOut = lastErr instanceof undiciErrors.HeadersTimeoutError || lastErr instanceof undiciErrors.BodyTimeoutError || lastErr instanceof undiciErrors.ConnectTimeoutError;
      throw new AppError(timedOut ? 'GATEWAY_TIMEOUT' : 'BAD_GATEWAY', `${opts.name} ${timedOut ? 'did not answer in time' : 'is unavailable'}`, { cause: String((lastErr as Error)?.message ?? lastErr) });
    },
    close: () => dispatcher.close(),
  };
}
