import { describe, expect, it } from 'vitest';
import { mergeOpenApi } from './openapi-merge.ts';
import { upstreamsFrom } from './route-table.ts';
import { gatewayConfig, minimalOpenApi } from './testing/fake-services.ts';

const upstreams = upstreamsFrom(gatewayConfig({}));
const info = { title: 'HealthMatch API', version: '1', description: 'All of it.' };
const problem = { type: 'object', title: 'Problem', properties: { code: { type: 'string' } } };
const ref = (name: string) => ({ content: { 'application/json': { schema: { $ref: `#/components/schemas/${name}` } } } });

describe('OpenAPI merge', () => {
  it('keeps the public paths each service owns, shares equal components and renames clashing ones', () => {
    const users = minimalOpenApi(
      {
        '/api/v1/users/me': { get: { operationId: 'getMe', responses: { 200: ref('def-1'), 404: ref('def-0') } } },
        '/api/v1/providers/{id}': { get: { operationId: 'getProvider', responses: { 404: ref('def-0') } } },
        '/internal/profiles/me': { put: { responses: {} } },
        '/api/v1/booking/appointments': { get: { responses: {} } }, // not users' to publish
      },
      { 'def-0': problem, 'def-1': { type: 'object', title: 'Me' } },
    );
    const booking = minimalOpenApi(
      { '/api/v1/booking/appointments': { get: { operationId: 'getMe', responses: { 200: ref('def-1'), 409: ref('def-0') } } } },
      { 'def-0': problem, 'def-1': { type: 'object', title: 'Appointment' } },
    );
    const doc = mergeOpenApi(
      [
        { service: 'auth', error: 'down' },
        { service: 'users', doc: users },
        { service: 'booking', doc: booking },
      ],
      upstreams,
      info,
    ) as { paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>; components: { schemas: Record<string, unknown> }; info: { description: string } };

    expect(Object.keys(doc.paths)).toEqual(['/api/v1/booking/appointments', '/api/v1/providers/{id}', '/api/v1/users/me']);
    expect(doc.components.schemas).toEqual({ 'def-0': problem, 'def-1': { type: 'object', title: 'Me' }, 'booking.def-1': { type: 'object', title: 'Appointment' } });
    const appointments = doc.paths['/api/v1/booking/appointments']?.get;
    expect(appointments?.responses[200]).toEqual(ref('booking.def-1'));
    expect(appointments?.responses[409]).toEqual(ref('def-0'));
    expect(appointments?.operationId).toBe('booking.getMe');
    expect(doc.info.description).toContain('auth');
    expect(doc).toMatchObject({ openapi: '3.1.0', 'x-healthmatch-services': { auth: 'unavailable', users: 'ok', booking: 'ok' } });
    // the fetched documents are left as they were
    expect(booking.paths['/api/v1/booking/appointments']).toMatchObject({ get: { operationId: 'getMe', responses: { 200: ref('def-1') } } });
  });
});
