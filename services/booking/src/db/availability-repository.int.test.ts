// Migration 0003 (booking horizon) on a database from before it: existing availabilities get
// the default horizon of 180 days, and the column refuses values outside 1..730.
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runMigrations } from '@healthmatch/platform';
import { bearer } from '@healthmatch/platform/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MIGRATIONS, newId, openDatabase, startBookingTestEnv, type BookingTestEnv } from '../test-support/harness.ts';
import type { BookingDatabase } from './database.ts';

describe('booking horizon on a database from before migration 0003', () => {
  let env: BookingTestEnv;
  let raw: BookingDatabase;
  let folder: string;
  const providerId = newId();

  async function migrationsUpTo0002(): Promise<string> {
    folder = await mkdtemp(path.join(os.tmpdir(), 'hm-booking-0002-'));
    await cp(MIGRATIONS, folder, { recursive: true });
    const journalFile = path.join(folder, 'meta', '_journal.json');
    const journal = JSON.parse(await readFile(journalFile, 'utf8')) as { entries: Array<{ tag: string }> };
    journal.entries = journal.entries.filter((e) => /^000[012]_/.test(e.tag));
    expect(journal.entries).toHaveLength(3);
    await writeFile(journalFile, JSON.stringify(journal));
    return folder;
  }

  beforeAll(async () => {
    env = await startBookingTestEnv('booking_horizon_legacy', {
      migrate: async (url) => {
        await runMigrations(url, await migrationsUpTo0002(), 'booking');
        const db = openDatabase(url);
        try {
          await db.pool.query(
            `insert into availabilities (provider_id, time_zone, weekly, exceptions, min_notice_minutes, created_at, updated_at)
             values ($1, 'Europe/Rome', '[{"day":"mon","start":"09:00","end":"12:00"}]', '[]', 60, now(), now())`,
            [providerId],
          );
        } finally {
          await db.close();
        }
        await runMigrations(url, MIGRATIONS, 'booking');
      },
    });
    raw = openDatabase(env.testDb.url);
  });
  afterAll(async () => {
    await raw?.close();
    await env?.close();
    if (folder) await rm(folder, { recursive: true, force: true });
  });

  it('gives existing availabilities the default horizon of 180 days', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/api/v1/booking/availability', headers: bearer(await env.upstream.token(providerId, 'provider')) });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ providerId, minNoticeMinutes: 60, maxAdvanceDays: 180 });
  });

  it('refuses a horizon outside 1..730 in the database too', async () => {
    for (const days of [0, 731]) {
      await expect(raw.pool.query('update availabilities set max_advance_days = $1 where provider_id = $2', [days, providerId])).rejects.toMatchObject({
        constraint: 'availabilities_max_advance_days_check',
      });
    }
  });
});
