// The one table of services that drives the launcher: ports, databases, environment names,
// start order. Adding payments or notifications later means flipping `planned` off here.

export interface ServiceSpec {
  /** Short name: log file, environment prefix (AUTH_PORT, AUTH_URL, AUTH_DATABASE_URL), database suffix. */
  name: string;
  defaultPort: number;
  /** Owns a database (`hm_<name>` by default). */
  database: boolean;
  /** Started once every one of these (if it is started at all) answers GET /readyz 200. */
  dependsOn: readonly string[];
  /** Process entry relative to the repo root, run as `node --import tsx <entry>`. */
  entry?: string;
  /** A full argv instead of `entry` (the launcher's own tests run tiny scripts). */
  command?: readonly string[];
  /** Not built yet: started when its entry file exists, skipped with a notice otherwise. */
  planned?: boolean;
  /** Readiness path; 200 means ready. */
  readinessPath?: string;
  /** Extra environment for this service only. */
  env?: Readonly<Record<string, string>>;
  /**
   * Directories under the launcher's data dir passed as environment (name -> subdirectory),
   * unless the variable is set already: e.g. notifications' MAIL_DIR -> .data/mail.
   */
  dataDirEnv?: Readonly<Record<string, string>>;
}

const entryOf = (name: string) => `services/${name}/src/server.ts`;

export const SERVICES: readonly ServiceSpec[] = [
  // auth first: the others fetch its JWKS.
  { name: 'auth', defaultPort: 8081, database: true, dependsOn: [], entry: entryOf('auth') },
  { name: 'users', defaultPort: 8082, database: true, dependsOn: ['auth'], entry: entryOf('users') },
  { name: 'catalog', defaultPort: 8083, database: true, dependsOn: ['auth'], entry: entryOf('catalog') },
  { name: 'booking', defaultPort: 8084, database: true, dependsOn: ['auth'], entry: entryOf('booking') },
  { name: 'payments', defaultPort: 8085, database: true, dependsOn: ['auth'], entry: entryOf('payments'), planned: true },
  // Without SMTP_URL it writes each message as an .eml file under MAIL_DIR.
  { name: 'notifications', defaultPort: 8086, database: true, dependsOn: ['auth'], entry: entryOf('notifications'), dataDirEnv: { MAIL_DIR: 'mail' } },
  // gateway last: it merges every service's /openapi.json into /docs.
  {
    name: 'gateway',
    defaultPort: 8080,
    database: false,
    dependsOn: ['auth', 'users', 'catalog', 'booking', 'payments', 'notifications'],
    entry: entryOf('gateway'),
  },
];

/** Key in databaseUrls of the PostgreSQL event transport's shared database (`hm_events`), passed as EVENTS_DATABASE_URL. */
export const EVENTS_DATABASE = 'events';

const envPrefix = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/** `GATEWAY_PORT`: overrides the default port of a service (launcher CLI). */
export const portEnvName = (name: string) => `${envPrefix(name)}_PORT`;
/** `AUTH_URL`: the base URL every service gets for every other service. */
export const urlEnvName = (name: string) => `${envPrefix(name)}_URL`;
/** `AUTH_DATABASE_URL`: use this database instead of creating `hm_auth` (launcher CLI). */
export const databaseEnvName = (name: string) => `${envPrefix(name)}_DATABASE_URL`;

export function findService(name: string): ServiceSpec | undefined {
  return SERVICES.find((s) => s.name === name);
}
