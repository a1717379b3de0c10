import { Appointment, AppointmentIdParams, AppointmentsPage, AppointmentsQuery, BookInput, CancelInput, IdempotencyKeyHeader } from '@healthmatch/contracts';
import { Type } from '@sinclair/typebox';
import { bearer, problemResponses } from '../problems.ts';

export const bookSchema = {
  tags: ['appointments'],
  summary: 'Book a slot (patient)',
  description:
    'start must be the start of a free slot of the offering. With an Idempotency-Key, a retry of the same request answers 201 with the same appointment (header idempotent-replayed: true); the same key with another body is a 422.',
  security: bearer,
  headers: Type.Object({ 'idempotency-key': Type.Optional(IdempotencyKeyHeader) }),
  body: BookInput,
  response: { 201: Appointment, ...problemResponses(400, 401, 403, 409, 422, 502, 504) },
} as const;

export const listSchema = {
  tags: ['appointments'],
  summary: 'My appointments (patient) or my agenda (provider), by start time',
  description: 'from and to are local dates of each appointment (its provider\'s zone), both included.',
  security: bearer,
  querystring: AppointmentsQuery,
  response: { 200: AppointmentsPage, ...problemResponses(400, 401, 403) },
} as const;

export const getSchema = {
  tags: ['appointments'],
  summary: 'One appointment (its patient or its provider)',
  security: bearer,
  params: AppointmentIdParams,
  response: { 200: Appointment, ...problemResponses(400, 401, 403, 404) },
} as const;

export const cancelSchema = {
  tags: ['appointments'],
  summary: 'Cancel an appointment that has not started (its patient or its provider)',
  description: 'The slot becomes free again. Cancelling an appointment twice, or one that has started, is a 409.',
  security: bearer,
  params: AppointmentIdParams,
  body: CancelInput,
  response: { 200: Appointment, ...problemResponses(400, 401, 403, 404, 409) },
} as const;
