// Each service declares its environment variables as a TypeBox object; loadConfig parses
// them once and fails fast with one message that lists every missing or invalid variable.
import { Type, type Static, type TObject, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

export class ConfigError extends Error {
  constructor(
    readonly service: string,
    readonly problems: string[],
  ) {
    super(`${service}: invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Variables every service understands. */
export const BaseEnv = {
  HOST: Type.String({ default: '127.0.0.1', minLength: 1 }),
  LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info' },
  ),
};

export const Env = {
  port: (defaultPort: number) => Type.Integer({ minimum: 0, maximum: 65535, default: defaultPort }),
  url: (opts: { default?: string } = {}) => Type.String({ pattern: '^[a-z][a-z0-9+.-]*://', ...opts }),
  postgresUrl: () => Type.String({ pattern: '^postgres(ql)?://', description: 'PostgreSQL connection URL' }),
  int: (opts: { default?: number; minimum?: number; maximum?: number } = {}) => Type.Integer(opts),
  bool: (defaultValue: boolean) => Type.Boolean({ default: defaultValue }),
  string: (opts: { default?: string; minLength?: number } = {}) => Type.String(opts),
  optional: <T extends TSchema>(schema: T) => Type.Optional(schema),
};

/**
 * The event transport (docs/adr/0010), for every service that produces or consumes events:
 * RabbitMQ when AMQP_URL is set, else the PostgreSQL transport on EVENTS_DATABASE_URL; a
 * producer with neither keeps its events in the outbox. No pattern on AMQP_URL: loadConfig
 * quotes invalid values, and it holds a password.
 */
export const EventsEnv = {
  AMQP_URL: Env.optional(Type.String({ minLength: 1, description: 'amqp://user:pass@host:5672/vhost (RabbitMQ)' })),
  EVENTS_DATABASE_URL: Env.optional(Env.postgresUrl()),
};

function coerce(schema: TSchema, raw: string): unknown {
  const type = (schema as { type?: string }).type;
  if (type === 'integer' || type === 'number') {
    const n = Number(raw);
    return raw.trim() === '' || Number.isNaN(n) ? raw : n;
  }
  if (type === 'boolean') {
    if (/^(1|true|yes|on)$/i.test(raw)) return true;
    if (/^(0|false|no|off)$/i.test(raw)) return false;
    return raw;
  }
  return raw;
}

export function loadConfig<T extends TObject>(
  service: string,
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const input: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) {
    const raw = env[key];
    if (raw !== undefined && raw !== '') input[key] = coerce(prop, raw);
  }
  const withDefaults = Value.Default(schema, input) as Record<string, unknown>;
  const problems: string[] = [];
  for (const [key, prop] of Object.entries(schema.properties)) {
    const required = (schema.required ?? []).includes(key);
    const value = withDefaults[key];
    if (value === undefined) {
      if (required) problems.push(`${key} is required${prop.description ? ` (${prop.description})` : ''}`);
      continue;
    }
    for (const err of Value.Errors(prop, value)) {
      // The value is not echoed: it may be a secret or a URL with a password in it.
      problems.push(`${key} is invalid: ${err.message}`);
      break;
    }
  }
  if (problems.length > 0) throw new ConfigError(service, problems);
  return withDefaults as Static<T>;
}
