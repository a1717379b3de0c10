// The environment variables `npm start` understands, turned into startPlatform options.
// Invalid values fail at once, all listed together.
import path from 'node:path';
import type { PlatformOptions } from './platform.ts';
import { databaseEnvName, portEnvName, SERVICES } from './services.ts';

export const CLI_ENV_HELP = `Environment (all optional):
  <SERVICE>_PORT            port of a service (GATEWAY_PORT=8080, AUTH_PORT=8081, USERS_PORT=8082,
                            CATALOG_PORT=8083, BOOKING_PORT=8084, PAYMENTS_PORT=8085, NOTIFICATIONS_PORT=8086)
  <SERVICE>_DATABASE_URL    use this database for the service (AUTH_DATABASE_URL, USERS_DATABASE_URL,
                            CATALOG_DATABASE_URL, BOOKING_DATABASE_URL, PAYMENTS_DATABASE_URL,
                            NOTIFICATIONS_DATABASE_URL); services without one get hm_<service>
                            created on LAUNCHER_PG_ADMIN_URL or on the embedded PostgreSQL
  LAUNCHER_PG_ADMIN_URL     an existing server's maintenance database (postgres://user:pw@host:5432/postgres):
                            create hm_<service> databases there and start no embedded PostgreSQL
  AMQP_URL                  RabbitMQ for events, passed to every service; without it the launcher creates
                            hm_events (or uses EVENTS_DATABASE_URL) and passes EVENTS_DATABASE_URL
  SMTP_URL                  mail server for notifications (smtp://user:pass@host:587); without it each message
                            is written as an .eml file under <data dir>/mail (or MAIL_DIR)
  LAUNCHER_PG_PORT          port of the embedded PostgreSQL (default: remembered in .data/launcher.json, else 54329)
  LAUNCHER_DATA_DIR         launcher state, logs and embedded cluster (default <repo>/.data)
  LAUNCHER_SERVICES         comma-separated subset to start, e.g. auth,users (default: all built services)
  LAUNCHER_READY_TIMEOUT_MS how long a service may take to answer GET /readyz 200 (default 60000)
  LAUNCHER_CONSOLE_LEVEL    lowest service log level echoed to the console (default warn; silent to mute)
  HOST, LOG_LEVEL, HEALTHMATCH_DATA_DIR and anything else set are passed on to every service.`;

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

function parsePort(raw: string): number | undefined {
  const n = Number(raw);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : undefined;
}

export function optionsFromEnv(env: NodeJS.ProcessEnv, repoRoot: string): Omit<PlatformOptions, 'log' | 'signal' | 'onFatal'> {
  const problems: string[] = [];
  const opts: Omit<PlatformOptions, 'log' | 'signal' | 'onFatal'> = {
    dataDir: path.resolve(repoRoot, env.LAUNCHER_DATA_DIR || '.data'),
    repoRoot,
  };
  const ports: Record<string, number> = {};
  const databaseUrls: Record<string, string> = {};
  for (const s of SERVICES) {
    const rawPort = env[portEnvName(s.name)];
    if (rawPort) {
      const p = parsePort(rawPort);
      if (p === undefined) problems.push(`${portEnvName(s.name)} is not a port: ${JSON.stringify(rawPort)}`);
      else ports[s.name] = p;
    }
    const url = env[databaseEnvName(s.name)];
    if (url) {
      if (!s.database) problems.push(`${databaseEnvName(s.name)}: ${s.name} has no database`);
      else if (!/^postgres(ql)?:\/\//.test(url)) problems.push(`${databaseEnvName(s.name)} is not a postgres:// URL`);
      else databaseUrls[s.name] = url;
    }
  }
  if (Object.keys(ports).length > 0) opts.ports = ports;
  if (Object.keys(databaseUrls).length > 0) opts.databaseUrls = databaseUrls;
  if (env.LAUNCHER_PG_ADMIN_URL) {
    if (!/^postgres(ql)?:\/\//.test(env.LAUNCHER_PG_ADMIN_URL)) problems.push('LAUNCHER_PG_ADMIN_URL is not a postgres:// URL');
    else opts.adminUrl = env.LAUNCHER_PG_ADMIN_URL;
  }
  if (env.LAUNCHER_PG_PORT) {
    const p = parsePort(env.LAUNCHER_PG_PORT);
    if (p === undefined) problems.push(`LAUNCHER_PG_PORT is not a port: ${JSON.stringify(env.LAUNCHER_PG_PORT)}`);
    else opts.postgresPort = p;
  }
  if (env.LAUNCHER_SERVICES) {
    opts.services = env.LAUNCHER_SERVICES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (env.LAUNCHER_READY_TIMEOUT_MS) {
    const n = Number(env.LAUNCHER_READY_TIMEOUT_MS);
    if (!Number.isInteger(n) || n <= 0) problems.push('LAUNCHER_READY_TIMEOUT_MS is not a positive integer');
    else opts.readyTimeoutMs = n;
  }
  if (env.LAUNCHER_CONSOLE_LEVEL) {
    const l = env.LAUNCHER_CONSOLE_LEVEL.toLowerCase();
    if (!(LEVELS as readonly string[]).includes(l)) problems.push(`LAUNCHER_CONSOLE_LEVEL must be one of ${LEVELS.join(', ')}`);
    else opts.consoleLevel = l as (typeof LEVELS)[number];
  }
  if (env.HOST) opts.host = env.HOST;
  if (problems.length > 0) throw new Error(`invalid launcher environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  return opts;
}
