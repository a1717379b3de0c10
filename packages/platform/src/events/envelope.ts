// CloudEvents 1.0 envelopes (ARCHITECTURE.md, Events): built by producers with createEvent,
// checked by transports and consumers with parseEvent. The payload (`data`) is validated by
// the consumer against its contract schema (compileSchemaCheck), not here.
import { uuidv7 } from 'uuidv7';
import type { CloudEvent } from './types.ts';

export interface NewEvent<T> {
  /** The producing service, e.g. `/healthmatch/booking`. */
  source: string;
  /** `<service>.<entity>.<past-tense>.v<N>`, e.g. `booking.appointment.booked.v1`. */
  type: string;
  subject?: string;
  data: T;
  /** Defaults to now. */
  time?: Date | string;
  /** Defaults to a fresh UUID v7. */
  id?: string;
}

export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)+\.v[1-9][0-9]*$/;

export class InvalidEventError extends Error {
  constructor(detail: string) {
    super(`invalid CloudEvent: ${detail}`);
    this.name = 'InvalidEventError';
  }
}

export function createEvent<T>(input: NewEvent<T>): CloudEvent<T> {
  const time = input.time === undefined ? new Date().toISOString() : typeof input.time === 'string' ? input.time : input.time.toISOString();
  const event: CloudEvent<T> = {
    specversion: '1.0',
    id: input.id ?? uuidv7(),
    source: input.source,
    type: input.type,
    time,
    datacontenttype: 'application/json',
    ...(input.subject !== undefined ? { subject: input.subject } : {}),
    data: input.data,
  };
  // The same rules as on the way in, so a producer's mistake fails at the producer.
  return parseEvent(event) as CloudEvent<T>;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function nonEmptyString(o: Record<string, unknown>, field: string): string {
  const v = o[field];
  if (typeof v !== 'string' || v.length === 0) throw new InvalidEventError(`${field} must be a non-empty string`);
  return v;
}

/**
 * Checks a received envelope (an object, or its JSON text / Buffer) and returns it typed.
 * Throws InvalidEventError on a wrong specversion, a missing or malformed attribute.
 */
export function parseEvent(raw: unknown): CloudEvent {
  let value: unknown = raw;
  if (typeof value === 'string' || Buffer.isBuffer(value)) {
    try {
      value = JSON.parse(value.toString());
    } catch {
      throw new InvalidEventError('not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new InvalidEventError('not an object');
  const o = value as Record<string, unknown>;
  if (o.specversion !== '1.0') throw new InvalidEventError(`specversion must be "1.0", got ${JSON.stringify(o.specversion)}`);
  const id = nonEmptyString(o, 'id');
  const source = nonEmptyString(o, 'source');
  const type = nonEmptyString(o, 'type');
  if (!EVENT_TYPE_PATTERN.test(type)) throw new InvalidEventError(`type ${JSON.stringify(type)} is not <service>.<entity>.<past-tense>.v<N>`);
  const time = nonEmptyString(o, 'time');
  if (!RFC3339.test(time) || Number.isNaN(Date.parse(time))) throw new InvalidEventError('time must be an RFC 3339 instant');
  const datacontenttype = o.datacontenttype ?? 'application/json';
  if (datacontenttype !== 'application/json') throw new InvalidEventError('datacontenttype must be application/json');
  if (o.subject !== undefined && (typeof o.subject !== 'string' || o.subject.length === 0)) throw new InvalidEventError('subject must be a non-empty string when present');
  if (!('data' in o) || o.data === undefined) throw new InvalidEventError('data is missing');
  return {
    specversion: '1.0',
    id,
    source,
    type,
    time,
    datacontenttype: 'application/json',
    ...(typeof o.subject === 'string' ? { subject: o.subject } : {}),
    data: o.data,
  };
}
