// auth.user.registered.v1 in auth's outbox: written in the register transaction, so a
// registration that fails (users down) leaves neither an account nor an event.
import { EventSources, EventTypes, UserRegisteredV1 } from '@healthmatch/contracts';
import { compileSchemaCheck, freePort, type App } from '@healthmatch/platform';
import { parseEvent, type CloudEvent } from '@healthmatch/platform/events';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appOn, migratedDatabase, startUsersStub, type TestDb, type UsersStub } from '../test-support.ts';

const PASSWORD = 'correct horse battery';
const patientProfile = { firstName: 'Anna', lastName: 'Rossi', locale: 'en' };
const registeredData = compileSchemaCheck(UserRegisteredV1);

describe('auth events in the outbox', () => {
  let db: TestDb;
  let users: UsersStub;
  let app: App;

  const register = (target: App, email: string) =>
    target.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: PASSWORD, role: 'patient', profile: patientProfile } });
  const outbox = async (): Promise<Array<{ id: string; type: string; payload: CloudEvent }>> =>
    (await db.database.pool.query('select id, type, payload from outbox order by created_at, id')).rows;

  beforeAll(async () => {
    db = await migratedDatabase('auth_events');
    users = await startUsersStub();
    app = await appOn(db, { USERS_URL: users.url });
  });
  afterAll(async () => {
    await app?.close();
    await users?.close();
    await db?.close();
  });

  it('register writes exactly one user.registered.v1 event: id, role, e-mail, locale, nothing about the password', async () => {
    const email = `Events.${Date.now()}@Example.com`;
    const res = await register(app, email);
    expect(res.statusCode).toBe(201);
    const user = res.json().user as { id: string; email: string };
    const rows = await outbox();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.type).toBe(EventTypes.userRegistered);
    const event = parseEvent(rows[0]!.payload);
    expect(event).toMatchObject({ specversion: '1.0', id: rows[0]!.id, source: EventSources.auth, type: EventTypes.userRegistered, subject: user.id });
    expect(registeredData.check(event.data) ? [] : registeredData.errors('data')).toEqual([]);
    expect(event.data).toEqual({ userId: user.id, role: 'patient', email: user.email, locale: 'en' });
    expect(JSON.stringify(rows[0]!.payload)).not.toMatch(/password|argon|correct horse/i);
  });

  it('a failed register (users down) writes none', async () => {
    const before = await outbox();
    const down = await appOn(db, { USERS_URL: `http://127.0.0.1:${await freePort()}`, USERS_TIMEOUT_MS: '1000' });
    try {
      expect((await register(down, `down.${Date.now()}@example.com`)).statusCode).toBe(502);
    } finally {
      await down.close();
    }
    users.answer = { status: 503 };
    expect((await register(app, `unavailable.${Date.now()}@example.com`)).statusCode).toBe(503);
    users.answer = { status: 201 };
    expect(await outbox()).toEqual(before);
  });
});
