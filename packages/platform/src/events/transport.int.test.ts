import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing/index.ts';
import { createEventTransport } from './transport.ts';

describe('createEventTransport', () => {
  let tdb: TestDatabase;
  const log = pino({ level: 'silent' });
  beforeAll(async () => {
    tdb = await createTestDatabase('events_choice');
  });
  afterAll(() => tdb.drop());

  it('uses the PostgreSQL transport when only EVENTS_DATABASE_URL is given', async () => {
    const transport = await createEventTransport({ service: 'demo', eventsDatabaseUrl: tdb.url, log });
    try {
      expect(transport.name).toBe('postgres');
    } finally {
      await transport.close();
    }
  });

  it('says which variables are missing when neither is given', async () => {
    await expect(createEventTransport({ service: 'demo', log })).rejects.toThrow(/AMQP_URL.*EVENTS_DATABASE_URL/);
  });
});
