// Appointments: thin handlers over domain/appointments.ts. Cursors are decoded and encoded
// here, at the edge; the use cases work with keyset positions.
import type { Appointment } from '@healthmatch/contracts';
import { decodeTimeIdCursor, encodeTimeIdCursor, type App } from '@healthmatch/platform';
import { bookAppointment, cancelAppointment, getAppointment, listAppointments, type BookingDeps } from '../../domain/appointments.ts';
import type { AppointmentPosition, AppointmentRecord } from '../../domain/ports.ts';
import { toRfc3339 } from '../../domain/slots.ts';
import { actorOf } from '../actor.ts';
import { bookSchema, cancelSchema, getSchema, listSchema } from './schemas.ts';

const BASE = '/api/v1/booking/appointments';

export function toAppointmentDto(a: AppointmentRecord): Appointment {
  return {
    id: a.id,
    status: a.status,
    start: toRfc3339(a.start.getTime()),
    end: toRfc3339(a.end.getTime()),
    timeZone: a.timeZone,
    offeringId: a.offeringId,
    serviceId: a.serviceId,
    serviceName: a.serviceName,
    providerId: a.providerId,
    patientId: a.patientId,
    price: { amount: a.price.amount, currency: a.price.currency },
    durationMinutes: a.durationMinutes,
    modality: a.modality,
    createdAt: a.createdAt.toISOString(),
    cancelledAt: a.cancelledAt ? a.cancelledAt.toISOString() : null,
    cancelledBy: a.cancelledBy,
    cancelReason: a.cancelReason,
  };
}

function positionFromCursor(cursor: string | undefined): AppointmentPosition | undefined {
  const p = decodeTimeIdCursor(cursor);
  return p && { start: p.at, id: p.id };
}

export function appointmentRoutes(app: App, deps: BookingDeps): void {
  app.post(BASE, { schema: bookSchema, onRequest: app.requireAuth('patient') }, async (req, reply) => {
    const { appointment, replayed } = await bookAppointment(deps, {
      patientId: actorOf(req).id,
      offeringId: req.body.offeringId,
      start: req.body.start,
      idempotencyKey: req.headers['idempotency-key'],
      requestId: String(req.id),
    });
    if (replayed) reply.header('idempotent-replayed', 'true');
    return reply.code(201).header('location', `${BASE}/${appointment.id}`).send(toAppointmentDto(appointment));
  });

  app.get(BASE, { schema: listSchema, onRequest: app.requireAuth('patient', 'provider') }, async (req) => {
    const { from, to, status, limit, cursor } = req.query;
    const page = await listAppointments(deps, actorOf(req), { from, to, status, limit: limit ?? 50, after: positionFromCursor(cursor) });
    return {
      items: page.items.map(toAppointmentDto),
      nextCursor: page.next ? encodeTimeIdCursor(page.next.start, page.next.id) : null,
    };
  });

  app.get(`${BASE}/:id`, { schema: getSchema, onRequest: app.requireAuth('patient', 'provider') }, async (req) => {
    return toAppointmentDto(await getAppointment(deps, actorOf(req), req.params.id.toLowerCase()));
  });

  app.post(
    `${BASE}/:id/cancel`,
    {
      schema: cancelSchema,
      onRequest: app.requireAuth('patient', 'provider'),
      // The reason is optional, so is the body: a bare POST means "no reason".
      preValidation: async (req) => {
        if (req.body === undefined) req.body = {};
      },
    },
    async (req) => {
      return toAppointmentDto(await cancelAppointment(deps, actorOf(req), req.params.id.toLowerCase(), req.body.reason));
    },
  );
}
