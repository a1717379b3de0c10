import { describe, expect, it } from 'vitest';
import { gatewayConfig } from './testing/fake-services.ts';
import { isPublic, ownerOf, upstreamsFrom } from './route-table.ts';

const id = '0190b6c2-0000-7000-8000-000000000001';

describe('route table', () => {
  it('routes each prefix to its service and leaves unset later services out', () => {
    const ups = upstreamsFrom(gatewayConfig({ BOOKING_URL: 'http://booking:8084/' }));
    expect(ups.map((u) => u.service)).toEqual(['auth', 'users', 'catalog', 'booking']);
    expect(ownerOf('/api/v1/providers/x', ups)?.service).toBe('users');
    expect(ownerOf('/api/v1/booking', ups)?.url).toBe('http://booking:8084');
    expect(ownerOf('/api/v1/bookingx', ups)).toBeUndefined();
    expect(ownerOf('/internal/profiles/me', ups)).toBeUndefined();
    expect(ownerOf('/api/v1/payments/intents', ups)).toBeUndefined();
    const withPayments = upstreamsFrom(gatewayConfig({ PAYMENTS_URL: 'http://127.0.0.1:8085' }));
    expect(ownerOf('/api/v1/payments/intents', withPayments)?.service).toBe('payments');
  });

  it.each([
    ['POST', '/api/v1/auth/login'],
    ['POST', '/api/v1/auth/register/'],
    ['POST', '/api/v1/auth/refresh'],
    ['POST', '/api/v1/auth/logout'],
    ['GET', '/.well-known/jwks.json'],
    ['GET', `/api/v1/providers/${id}`],
    ['HEAD', `/api/v1/providers/${id}`],
    ['GET', '/api/v1/catalog/specialties'],
    ['GET', '/api/v1/catalog/services'],
    ['GET', '/api/v1/catalog/search'],
    ['GET', `/api/v1/catalog/offerings/${id}`],
    ['GET', `/api/v1/catalog/providers/${id}/offerings`],
    ['GET', '/api/v1/providers'],
    ['GET', '/api/v1/booking/slots'],
  ])('%s %s is public', (method, path) => {
    expect(isPublic(method, path)).toBe(true);
  });

  it.each([
    ['GET', '/api/v1/auth/login'],
    ['GET', '/api/v1/auth/me'],
    ['POST', '/api/v1/auth/login/extra'],
    ['GET', '/api/v1/providers/me'],
    ['PUT', `/api/v1/providers/${id}`],
    ['GET', `/api/v1/providers/${id}/private`],
    ['GET', '/api/v1/users/me'],
    ['POST', '/api/v1/catalog/offerings'],
    ['GET', '/api/v1/catalog/offerings/mine'],
    ['GET', '/api/v1/catalog/providers/me/offerings'],
    ['POST', `/api/v1/catalog/providers/${id}/offerings`],
    ['GET', '/api/v1/booking/appointments'],
    ['POST', '/api/v1/booking/slots'],
    ['GET', '/api/v1/booking/slotsx'],
  ])('%s %s needs a token', (method, path) => {
    expect(isPublic(method, path)).toBe(false);
  });
});
