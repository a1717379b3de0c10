// Environment of the notifications service, parsed once; a bad or missing variable stops the
// process with one message listing every problem.
import { Type, type Static } from '@sinclair/typebox';
import { BaseEnv, EventsEnv, ConfigError, Env, loadConfig } from '@healthmatch/platform';
import { parseMailAddress } from './domain/addresses.ts';
import { parseReminderOffsets } from './domain/reminders.ts';

export const NotificationsEnv = Type.Object({
  ...BaseEnv,
  PORT: Env.port(8086),
  DATABASE_URL: Env.postgresUrl(),
  AUTH_URL: Env.url({ default: 'http://127.0.0.1:8081' }),
  JWT_ISSUER: Env.string({ default: 'healthmatch-auth', minLength: 1 }),
  JWT_AUDIENCE: Env.string({ default: 'healthmatch', minLength: 1 }),
  ...EventsEnv,
  // Mail: SMTP when SMTP_URL is set, else one .eml file per message under MAIL_DIR.
  SMTP_URL: Env.optional(Type.String({ minLength: 1, description: 'smtp://user:pass@host:587 or smtps://host:465' })),
  MAIL_DIR: Env.optional(Type.String({ minLength: 1, description: 'directory of .eml files when SMTP_URL is not set' })),
  /** How long a connected SMTP server may take to answer; RFC 5321 asks for 10 minutes after the data. */
  SMTP_REPLY_TIMEOUT_SECONDS: Env.int({ default: 600, minimum: 1, maximum: 3600 }),
  MAIL_FROM: Env.string({ default: 'HealthMatch <no-reply@healthmatch.local>', minLength: 3 }),
  REMINDER_OFFSETS: Env.string({ default: '24h' }),
  DELIVERY_MAX_ATTEMPTS: Env.int({ default: 8, minimum: 1, maximum: 50 }),
  /** A worker that died mid-send loses its claim after this long; another worker resends. */
  DELIVERY_LEASE_SECONDS: Env.int({ default: 120, minimum: 1, maximum: 3600 }),
  DELIVERY_POLL_MS: Env.int({ default: 1000, minimum: 10, maximum: 60000 }),
  /**
   * Tests and demos only: a file holding a number of seconds added to the system clock when
   * deciding what is due (reminders). Re-read on every poll. Unset in real deployments.
   */
  CLOCK_OFFSET_FILE: Env.optional(Type.String({ minLength: 1 })),
});

export type NotificationsConfig = Static<typeof NotificationsEnv> & {
  readonly reminderOffsetsMinutes: number[];
  readonly from: { address: string; name?: string };
};

/** "Name <address>" or a bare address. */
function parseFrom(raw: string): { address: string; name?: string } | null {
  const m = /^\s*(?:"?([^"<>\r\n]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(raw);
  const address = parseMailAddress(m ? m[2]! : raw.trim());
  if (!address) return null;
  const name = m?.[1]?.trim();
  return name ? { address, name } : { address };
}

export function loadNotificationsConfig(env: Record<string, string | undefined> = process.env): NotificationsConfig {
  const config = loadConfig('notifications', NotificationsEnv, env);
  const problems: string[] = [];
  let reminderOffsetsMinutes: number[] = [];
  try {
    reminderOffsetsMinutes = parseReminderOffsets(config.REMINDER_OFFSETS);
  } catch (err) {
    problems.push(`REMINDER_OFFSETS is invalid: ${(err as Error).message}`);
  }
  const from = parseFrom(config.MAIL_FROM);
  if (!from) problems.push('MAIL_FROM is invalid: expected "Name <address>" or an address');
  if (!config.SMTP_URL && !config.MAIL_DIR) problems.push('SMTP_URL or MAIL_DIR is required (where mail goes)');
  if (config.SMTP_URL && !/^smtps?:\/\//.test(config.SMTP_URL)) problems.push('SMTP_URL is invalid: expected smtp:// or smtps://');
  if (problems.length > 0) throw new ConfigError('notifications', problems);
  return { ...config, reminderOffsetsMinutes, from: from! };
}
