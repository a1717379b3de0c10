// The delivery log over HTTP: recipients see only their own messages, admins see all,
// scheduled reminders are told apart from due messages, bad input is a 4xx problem.
import { bearer, createTestTokenIssuer, type TestTokenIssuer } from '@healthmatch/platform/testing';
import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../app.ts';
import { notificationRepository } from '../../db/notification-repository.ts';
import { notificationsEventHandler } from '../../events/consumers.ts';
import { appointmentFixture, bookedEvent, manualClock, newId, openTestDatabase, testConfig, type NotificationsTestDb } from '../../test-support/harness.ts';

const BASE = '/api/v1/notifications';

describe('GET /api/v1/notifications', () => {
  let t: NotificationsTestDb;
  let app: App;
  let issuer: TestTokenIssuer;
  const clock = manualClock('2026-12-01T10:00:00Z');
  const a = appointmentFixture({ start: '2026-12-05T09:00:00.000Z', end: '2026-12-05T09:30:00.000Z' });
  const other = appointmentFixture();
  let patientToken: string;
  let providerToken: string;
  let adminToken: string;

  beforeAll(async () => {
    t = await openTestDatabase('notif_routes');
    issuer = await createTestTokenIssuer();
    app = await buildApp(testConfig(), { database: t.database, verifier: issuer.verifier({ roles: ['patient', 'provider', 'admin'] }), clock });
    const repo = notificationRepository(t.database);
    const handle = notificationsEventHandler({ database: t.database, repo, reminderOffsetsMinutes: [1440], now: clock, log: { warn: () => {} } });
    await handle(bookedEvent(a), { attempt: 1 });
    await handle(bookedEvent(other), { attempt: 1 });
    patientToken = await issuer.sign({ sub: a.patientId, role: 'patient' });
    providerToken = await issuer.sign({ sub: a.providerId, role: 'provider' });
    adminToken = await issuer.sign({ sub: newId(), role: 'admin' });
  });
  afterAll(async () => {
    await app.close();
    await t.close();
  });

  it('a patient reads their own messages only: the confirmation (queued) and the reminder (scheduled)', async () => {
    const res = await app.inject({ method: 'GET', url: `${BASE}/me`, headers: bearer(patientToken) });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.items.map((i: { kind: string; status: string }) => [i.kind, i.status]).sort()).toEqual([
      ['appointment.confirmation', 'queued'],
      ['appointment.reminder', 'scheduled'],
    ]);
    expect(body.items.every((i: { recipientId: string }) => i.recipientId === a.patientId)).toBe(true);
    expect(body.items[0].messageId).toMatch(/^<[0-9a-f-]{36}@healthmatch>$/);
    const scheduled = await app.inject({ method: 'GET', url: `${BASE}/me?status=scheduled`, headers: bearer(patientToken) });
    expect(scheduled.json().items.map((i: { kind: string }) => i.kind)).toEqual(['appointment.reminder']);
  });

  it('the provider sees the provider notice; nobody reads another recipient\'s message (404)', async () => {
    const mine = (await app.inject({ method: 'GET', url: `${BASE}/me`, headers: bearer(providerToken) })).json();
    expect(mine.items.map((i: { kind: string }) => i.kind)).toEqual(['appointment.provider-notice']);
    const patientsOwn = (await app.inject({ method: 'GET', url: `${BASE}/me`, headers: bearer(patientToken) })).json().items[0];
    const res = await app.inject({ method: 'GET', url: `${BASE}/${patientsOwn.id}`, headers: bearer(providerToken) });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toContain('application/problem+json');
    expect((await app.inject({ method: 'GET', url: `${BASE}/${patientsOwn.id}`, headers: bearer(patientToken) })).statusCode).toBe(200);
  });

  it('an admin lists every message, filters by recipient and pages with a cursor', async () => {
    const all = (await app.inject({ method: 'GET', url: `${BASE}?limit=100`, headers: bearer(adminToken) })).json();
    expect(all.items.length).toBe(6); // 2 appointments x (confirmation, notice, reminder)
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `${BASE}?limit=4${cursor ? `&cursor=${cursor}` : ''}`;
      const page = (await app.inject({ method: 'GET', url, headers: bearer(adminToken) })).json();
      seen.push(...page.items.map((i: { id: string }) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(6);
    const filtered = (await app.inject({ method: 'GET', url: `${BASE}?recipientId=${other.providerId}`, headers: bearer(adminToken) })).json();
    expect(filtered.items.map((i: { kind: string }) => i.kind)).toEqual(['appointment.provider-notice']);
    expect((await app.inject({ method: 'GET', url: BASE, headers: bearer(patientToken) })).statusCode).toBe(403);
  });

  it('bad input is a 4xx problem, never a 500', async () => {
    for (const [url, status] of [
      [`${BASE}/me?limit=0`, 400],
      [`${BASE}/me?limit=1000`, 400],
      [`${BASE}/me?status=lost`, 400],
      [`${BASE}/me?cursor=%%%`, 400],
      [`${BASE}/me?cursor=${Buffer.from('[1]').toString('base64url')}`, 400],
      [`${BASE}/me?cursor=${Buffer.from(JSON.stringify([8_640_000_000_000_001, newId()])).toString('base64url')}`, 400],
      [`${BASE}?cursor=${Buffer.from(JSON.stringify([253_402_300_800_000, newId()])).toString('base64url')}`, 400],
      [`${BASE}/not-a-uuid`, 400],
      [`${BASE}?recipientId=x`, 400],
    ] as const) {
      const res = await app.inject({ method: 'GET', url, headers: bearer(adminToken) });
      expect(res.statusCode, url).toBe(status);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    expect((await app.inject({ method: 'GET', url: `${BASE}/me` })).statusCode).toBe(401);
  });
});
