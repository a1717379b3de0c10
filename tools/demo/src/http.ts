// A small JSON client over undici: keep-alive, timeouts, and retries with exponential
// backoff for answers that may succeed later (network failures, 500/502/503/504, and a
// 429 RATE_LIMITED of the gateway, after its Retry-After). Only calls marked `retry` are
// retried; creating calls that are not idempotent are made safe by their callers.
import { Agent, errors as undiciErrors, request } from 'undici';

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export interface JsonResponse {
  status: number;
  /** Parsed JSON, or undefined for an empty or non-JSON body. */
  body: unknown;
  headers: Record<string, string | string[] | undefined>;
}

/** A failure after the retries: the network, or an answer the caller did not expect. */
export class HttpError extends Error {
  constructor(
    message: string,
    readonly method: string,
    readonly url: string,
    readonly status: number | undefined,
    readonly problem: Problem | undefined,
    /** True when the request never got an answer (connection refused, reset, timeout). */
    readonly network: boolean,
  ) {
    super(message);
    this.name = 'HttpError';
  }

  get code(): string | undefined {
    return this.problem?.code;
  }
}

export interface HttpOptions {
  /** Attempts after the first one for retryable failures. */
  retries?: number;
  /** First backoff; doubled per attempt, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  timeoutMs?: number;
  connections?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Called before each retry (for counting). */
  onRetry?: (info: { method: string; url: string; attempt: number; reason: string; delayMs: number }) => void;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  /** Retry network failures and 5xx/429. Only for calls that are safe to repeat. */
  retry?: boolean;
}

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
/** How often one call waits out a 429 of the gateway's rate limit (about a minute each at most). */
const MAX_RATE_LIMIT_WAITS = 20;
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);

export function isNetworkError(err: unknown): boolean {
  if (err instanceof undiciErrors.UndiciError) return true;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR'))) return true;
  const cause = (err as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== err && isNetworkError(cause);
}

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  return e.code ?? e.cause?.code ?? e.message ?? String(err);
}

/** Seconds or an HTTP date, capped; undefined when absent or unreadable. */
function retryAfterMs(value: string | string[] | undefined, capMs: number): number | undefined {
  const raw = Array.isArray(value) ? value[0] : value;
  if (!raw) return undefined;
  const seconds = Number(raw);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(raw) - Date.now();
  return Number.isFinite(ms) && ms >= 0 ? Math.min(ms, capMs) : undefined;
}

export const problemOf = (body: unknown): Problem | undefined =>
  body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Problem) : undefined;

export class HttpClient {
  private readonly agent: Agent;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onRetry: HttpOptions['onRetry'];

  constructor(opts: HttpOptions = {}) {
    const timeout = opts.timeoutMs ?? 15_000;
    this.agent = new Agent({ connections: opts.connections ?? 16, headersTimeout: timeout, bodyTimeout: timeout, connect: { timeout: Math.min(timeout, 5_000) } });
    this.retries = opts.retries ?? 5;
    this.baseDelayMs = opts.baseDelayMs ?? 250;
    this.maxDelayMs = opts.maxDelayMs ?? 8_000;
    this.sleep = opts.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onRetry = opts.onRetry;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
    return Math.round(exp * (0.75 + Math.random() * 0.5)); // jitter: retries of many workers spread out
  }

  /** One JSON call; any HTTP status is returned. Throws HttpError when no answer came after the retries. */
  async call(method: string, url: string, opts: CallOptions = {}): Promise<JsonResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const maxAttempts = opts.retry ? this.retries + 1 : 1;

    // Waits for a rate limit (gateway mode) do not use up the retries for failures.
    let rateLimitWaits = 0;
    for (let attempt = 1; ; attempt++) {
      let res: JsonResponse;
      try {
        const r = await request(url, { method: method as 'GET', headers, body: payload, dispatcher: this.agent });
        const text = await r.body.text();
        let body: unknown;
        try {
          body = text === '' ? undefined : JSON.parse(text);
        } catch {
          body = undefined;
        }
        res = { status: r.statusCode, body, headers: r.headers };
      } catch (err) {
        if (!isNetworkError(err)) throw err;
        if (attempt >= maxAttempts) {
          throw new HttpError(`${method} ${url}: no answer (${describe(err)})`, method, url, undefined, undefined, true);
        }
        const delayMs = this.backoff(attempt);
        this.onRetry?.({ method, url, attempt, reason: describe(err), delayMs });
        await this.sleep(delayMs);
        continue;
      }
      const problem = problemOf(res.body);
      const rateLimited = res.status === 429 && problem?.code !== 'AUTH_ACCOUNT_LOCKED';
      if (rateLimited && opts.retry && rateLimitWaits < MAX_RATE_LIMIT_WAITS) {
        rateLimitWaits++;
        attempt--;
        const delayMs = retryAfterMs(res.headers['retry-after'], 60_000) ?? this.backoff(rateLimitWaits);
        this.onRetry?.({ method, url, attempt: rateLimitWaits, reason: '429 RATE_LIMITED', delayMs });
        await this.sleep(delayMs);
        continue;
      }
      if (!RETRYABLE_STATUS.has(res.status) || attempt >= maxAttempts) return res;
      const delayMs = retryAfterMs(res.headers['retry-after'], this.maxDelayMs) ?? this.backoff(attempt);
      this.onRetry?.({ method, url, attempt, reason: `${res.status}${problem?.code ? ` ${problem.code}` : ''}`, delayMs });
      await this.sleep(delayMs);
    }
  }
}

/** An HttpError for an answer the caller did not expect, with the problem's code and detail. */
export function unexpected(method: string, url: string, res: JsonResponse): HttpError {
  const p = problemOf(res.body);
  const what = p?.code ? `${p.code}${p.detail ? `: ${p.detail}` : ''}` : (p?.title ?? 'unexpected answer');
  const fields = p?.errors?.length ? ` [${p.errors.map((e) => `${e.field} ${e.message}`).join('; ')}]` : '';
  return new HttpError(`${method} ${new URL(url).pathname} -> ${res.status} ${what}${fields}`, method, url, res.status, p, false);
}
