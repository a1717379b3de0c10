import { describe, expect, it } from 'vitest';
import { createEvent, InvalidEventError, parseEvent } from './envelope.ts';

describe('createEvent', () => {
  it('builds a CloudEvents 1.0 envelope with a UUID v7 id and the current time', () => {
    const before = Date.now();
    const e = createEvent({ source: '/healthmatch/booking', type: 'booking.appointment.booked.v1', subject: 'a-1', data: { x: 1 } });
    expect(e.specversion).toBe('1.0');
    expect(e.datacontenttype).toBe('application/json');
    expect(e.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(Date.parse(e.time)).toBeGreaterThanOrEqual(before - 1);
    expect(e).toMatchObject({ source: '/healthmatch/booking', type: 'booking.appointment.booked.v1', subject: 'a-1', data: { x: 1 } });
  });

  it('gives distinct, time-ordered ids', () => {
    const ids = Array.from({ length: 50 }, () => createEvent({ source: '/s', type: 'a.b.c.v1', data: null }).id);
    expect(new Set(ids).size).toBe(50);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps a given id and time, omits subject when absent', () => {
    const e = createEvent({ source: '/s', type: 'a.b.c.v2', data: {}, id: 'fixed', time: new Date('2026-01-02T03:04:05Z') });
    expect(e.id).toBe('fixed');
    expect(e.time).toBe('2026-01-02T03:04:05.000Z');
    expect('subject' in e).toBe(false);
  });

  it('rejects a type that is not <service>.<entity>.<past-tense>.v<N>', () => {
    expect(() => createEvent({ source: '/s', type: 'booked', data: {} })).toThrow(InvalidEventError);
  });
});

describe('parseEvent', () => {
  const good = createEvent({ source: '/healthmatch/booking', type: 'booking.appointment.booked.v1', data: { id: 'x' } });

  it('accepts an envelope as an object, JSON text or a Buffer', () => {
    expect(parseEvent(good)).toEqual(good);
    expect(parseEvent(JSON.stringify(good))).toEqual(good);
    expect(parseEvent(Buffer.from(JSON.stringify(good)))).toEqual(good);
  });

  it.each([
    ['wrong specversion', { ...good, specversion: '0.3' }],
    ['missing specversion', { ...good, specversion: undefined }],
    ['missing id', { ...good, id: undefined }],
    ['empty source', { ...good, source: '' }],
    ['missing type', { ...good, type: undefined }],
    ['bad time', { ...good, time: 'yesterday' }],
    ['missing data', { ...good, data: undefined }],
    ['other content type', { ...good, datacontenttype: 'text/xml' }],
    ['non-string subject', { ...good, subject: 5 }],
  ])('rejects %s', (_name, raw) => {
    expect(() => parseEvent(raw)).toThrow(InvalidEventError);
  });

  it('rejects what is not an object', () => {
    for (const raw of [null, 1, 'not json', [], Buffer.from('{')]) expect(() => parseEvent(raw)).toThrow(InvalidEventError);
  });
});
