import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
import { AppointmentCancelledV1, EventDataSchemas, EventTypes, UserRegisteredV1 } from './events.ts';

// Value.Check knows no formats by itself; the services check with ajv (compileSchemaCheck).
if (!FormatRegistry.Has('date-time')) FormatRegistry.Set('date-time', (v) => !Number.isNaN(Date.parse(v)));

const id = '0190a0b4-5e6f-7a8b-9c0d-1e2f3a4b5c6d';
const appointment = {
  appointmentId: id,
  patientId: id,
  providerId: id,
  offeringId: id,
  serviceId: id,
  serviceName: 'Visita cardiologica',
  start: '2026-03-02T08:00:00.000Z',
  end: '2026-03-02T08:30:00.000Z',
  timeZone: 'Europe/Rome',
  modality: 'in_person',
  price: { amount: 4500, currency: 'EUR' },
};

describe('integration event schemas', () => {
  it('has a data schema for every event type, named <service>.<entity>.<past-tense>.v<N>', () => {
    for (const type of Object.values(EventTypes)) {
      expect(type).toMatch(/^[a-z]+\.[a-z]+\.[a-z]+\.v[1-9]\d*$/);
      expect(EventDataSchemas[type]).toBeDefined();
    }
  });

  it('cancelled.v1 needs who and when, and has no room for the reason', () => {
    const cancelled = { ...appointment, status: 'cancelled', cancelledBy: 'provider', cancelledAt: '2026-03-01T10:00:00.000Z' };
    expect(Value.Check(AppointmentCancelledV1, cancelled)).toBe(true);
    expect(Value.Check(AppointmentCancelledV1, { ...cancelled, cancelReason: 'private' })).toBe(false);
    const { cancelledAt: _omit, ...withoutWhen } = cancelled;
    expect(Value.Check(AppointmentCancelledV1, withoutWhen)).toBe(false);
  });

  it('user.registered.v1 carries no password-related data', () => {
    const data = { userId: id, role: 'patient', email: 'anna@example.com', locale: 'it' };
    expect(Value.Check(UserRegisteredV1, data)).toBe(true);
    expect(Value.Check(UserRegisteredV1, { ...data, passwordHash: 'x' })).toBe(false);
  });
});
