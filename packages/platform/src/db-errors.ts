// Recognising database conditions without loading the driver or the ORM (the gateway has no database).
/** pg's pool gave up waiting for a free connection (or the server did not answer the connect). */
export function isPoolTimeout(err: unknown): boolean {
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && /timeout exceeded when trying to connect|Connection terminated due to connection timeout/.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

const CONNECTION_ERRNOS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The database could not be reached or dropped the connection (refused, reset, shut down,
 * too many connections, pool timeout): a condition of the server, not of the statement.
 */
export function isConnectionError(err: unknown): boolean {
  if (isPoolTimeout(err)) return true;
  let e: unknown = err;
  for (let i = 0; i < 5 && e; i++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (CONNECTION_ERRNOS.has(code) || code.startsWith('08') || ['57P01', '57P02', '57P03', '53300'].includes(code))) return true;
    if (typeof message === 'string' && /^Connection terminated|Client has encountered a connection error|the database system is (starting up|shutting down)/.test(message)) return true;
    // AggregateError (a host with several addresses): every attempt failed to connect.
    const errors = (e as { errors?: unknown }).errors;
    if (Array.isArray(errors) && errors.length > 0 && errors.every((x) => isConnectionError(x))) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
