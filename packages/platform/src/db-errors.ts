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
