import type { App } from '@healthmatch/platform';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { patientInput, PRIVATE_FIELDS, providerInput } from '../../test-support/fixtures.ts';
import { startHarness, type Harness } from '../../test-support/harness.ts';

describe('/api/v1/providers', () => {
  let h: Harness;
  let app: App;
  let providerIds: string[];
  let patientId: string;

  beforeAll(async () => {
    h = await startHarness('users_providers');
    app = await h.app();
    providerIds = [];
    for (const name of ['Studio Uno', 'Studio Due', 'Studio Tre']) {
      const p = await h.account('provider');
      await app.inject({ method: 'PUT', url: '/internal/profiles/me', headers: p.auth, payload: providerInput({ displayName: name }) });
      providerIds.push(p.id);
    }
    const a = await h.account('patient');
    await app.inject({ method: 'PUT', url: '/internal/profiles/me', headers: a.auth, payload: patientInput() });
    patientId = a.id;
  });
  afterAll(() => h.close());

  it('shows a provider’s public fields to anyone, and nothing private', async () => {
    const res = await app.inject({ url: `/api/v1/providers/${providerIds[0]}` });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toEqual({
      id: providerIds[0],
      displayName: 'Studio Uno',
      kind: 'practitioner',
      languages: ['it', 'en'],
      address: 'Via del Corso 10',
      city: 'Roma',
      lat: 41.9028,
      lon: 12.4964,
      bio: 'Cardiologia e medicina dello sport.',
      demo: false,
    });
    for (const f of PRIVATE_FIELDS) expect(body).not.toHaveProperty(f);
    expect(res.body).not.toContain('@example.it');
  });

  it('answers a patient’s id exactly like an unknown id', async () => {
    const patient = await app.inject({ url: `/api/v1/providers/${patientId}` });
    const unknown = await app.inject({ url: `/api/v1/providers/${uuidv7()}` });
    expect(patient.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    const strip = (b: Record<string, unknown>) => ({ ...b, instance: undefined, requestId: undefined });
    expect(strip(patient.json())).toEqual(strip(unknown.json()));
    expect(patient.body).not.toContain('Mario');
  });

  it('accepts an upper-case UUID and refuses the urn:uuid: spelling with a 400, never a 500', async () => {
    expect((await app.inject({ url: `/api/v1/providers/${providerIds[1]?.toUpperCase()}` })).json().displayName).toBe('Studio Due');
    const urn = await app.inject({ url: `/api/v1/providers/urn:uuid:${providerIds[1]}` });
    expect(urn.statusCode).toBe(400);
    expect(urn.json().errors[0].field).toBe('path/id');
  });

  it('answers 400 problem+json for an id that is not a UUID', async () => {
    for (const id of ['123', 'abc', `${providerIds[0]}x`, "1' or '1'='1"]) {
      const res = await app.inject({ url: `/api/v1/providers/${encodeURIComponent(id)}` });
      expect(res.statusCode, id).toBe(400);
      expect(res.headers['content-type']).toContain('application/problem+json');
      expect(res.json().errors[0].field).toBe('path/id');
    }
  });

  it('looks up many ids at once: order kept, duplicates once, unknown and patient ids left out', async () => {
    const [a, b, c] = providerIds as [string, string, string];
    const res = await app.inject({ url: `/api/v1/providers?ids=${c},${patientId},${a},${uuidv7()},${c}` });
    expect(res.statusCode).toBe(200);
    const items = res.json().items as Array<Record<string, unknown>>;
    expect(items.map((i) => i.id)).toEqual([c, a]);
    for (const item of items) for (const f of PRIVATE_FIELDS) expect(item).not.toHaveProperty(f);
    const repeated = await app.inject({ url: `/api/v1/providers?ids=${b}&ids=${a}` });
    expect(repeated.json().items.map((i: { id: string }) => i.id)).toEqual([b, a]);
    const single = await app.inject({ url: `/api/v1/providers?ids=${b}` });
    expect(single.json().items).toHaveLength(1);
  });

  it('answers 400 for a bad id list', async () => {
    const tooMany = Array.from({ length: 101 }, () => uuidv7()).join(',');
    for (const qs of ['', 'ids=', 'ids=nope', `ids=${providerIds[0]},,${providerIds[1]}`, `ids=${tooMany}`, `ids=${providerIds[0]}&limit=5`]) {
      const res = await app.inject({ url: `/api/v1/providers?${qs}` });
      expect(res.statusCode, qs).toBe(400);
      expect(res.json().code).toBe('VALIDATION_FAILED');
    }
    const hundred = Array.from({ length: 100 }, () => uuidv7()).join(',');
    expect((await app.inject({ url: `/api/v1/providers?ids=${hundred}` })).json()).toEqual({ items: [] });
  });
});
