// Process entry helpers: listen, log where, and close gracefully on SIGTERM/SIGINT.
import type { App } from './service.ts';
import { ConfigError } from './config.ts';

export interface RunOptions {
  port: number;
  host: string;
  /** Closed after the HTTP server stops taking requests (pools, consumers, timers). */
  onClose?: () => Promise<void>;
  shutdownTimeoutMs?: number;
}

export async function listenAndServe(app: App, opts: RunOptions): Promise<void> {
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('graceful shutdown timed out; exiting');
      process.exit(1);
    }, opts.shutdownTimeoutMs ?? 10_000);
    timer.unref();
    try {
      await app.close();
      await opts.onClose?.();
      process.exit(0);
    } catch (err) {
      app.log.error({ err }, 'error during shutdown');
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));
  await app.listen({ port: opts.port, host: opts.host });
}

/** Runs a service's main(); configuration errors print one clear message and exit 1. */
export function runMain(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    if (err instanceof ConfigError) {
      console.error(err.message);
    } else {
      console.error(err);
    }
    process.exit(1);
  });
}
