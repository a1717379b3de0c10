// What each event means for the outbox of mail: which messages to queue, for whom, when.
// Pure decisions; the consumer stores them in the same transaction as the inbox row.
import { reminderDueTimes } from './reminders.ts';
import type { MessageKind } from './messages.ts';

export interface PlannedMessage {
  readonly kind: MessageKind;
  readonly recipientId: string;
  readonly recipientRole: 'patient' | 'provider';
  readonly appointmentId: string;
  readonly notBefore: Date;
  readonly reminderOffsetMinutes: number | null;
  readonly appointmentStart: Date | null;
  /** Unique per cause and recipient: the same event, or the same fact told twice, adds nothing. */
  readonly dedupeKey: string;
}

interface AppointmentFacts {
  readonly id: string;
  readonly patientId: string;
  readonly providerId: string;
  readonly start: Date;
}

const key = (...parts: Array<string | number>) => parts.join(':');

/** Booked: the patient's confirmation and the provider's notice now, reminders at their times. */
export function planBooked(a: AppointmentFacts, reminderOffsetsMinutes: readonly number[], now: Date): PlannedMessage[] {
  const base = { appointmentId: a.id, reminderOffsetMinutes: null, appointmentStart: null };
  const planned: PlannedMessage[] = [
    { ...base, kind: 'appointment.confirmation', recipientId: a.patientId, recipientRole: 'patient', notBefore: now, dedupeKey: key(a.id, 'confirmation', a.patientId) },
    { ...base, kind: 'appointment.provider-notice', recipientId: a.providerId, recipientRole: 'provider', notBefore: now, dedupeKey: key(a.id, 'provider-notice', a.providerId) },
  ];
  // Only appointments still ahead get reminders, and only reminders whose moment is ahead.
  if (a.start.getTime() > now.getTime()) {
    for (const r of reminderDueTimes(a.start, [...reminderOffsetsMinutes], now)) {
      planned.push({
        kind: 'appointment.reminder',
        recipientId: a.patientId,
        recipientRole: 'patient',
        appointmentId: a.id,
        notBefore: r.dueAt,
        reminderOffsetMinutes: r.offsetMinutes,
        appointmentStart: a.start,
        dedupeKey: key(a.id, 'reminder', a.start.toISOString(), r.offsetMinutes),
      });
    }
  }
  return planned;
}

/** Cancelled: the patient's cancellation (with the invite's CANCEL) and the provider's notice. */
export function planCancelled(a: AppointmentFacts, now: Date): PlannedMessage[] {
  const base = { appointmentId: a.id, reminderOffsetMinutes: null, appointmentStart: null, notBefore: now };
  return [
    { ...base, kind: 'appointment.cancellation', recipientId: a.patientId, recipientRole: 'patient', dedupeKey: key(a.id, 'cancellation', a.patientId) },
    { ...base, kind: 'appointment.provider-cancellation', recipientId: a.providerId, recipientRole: 'provider', dedupeKey: key(a.id, 'provider-cancellation', a.providerId) },
  ];
}

/**
 * Whether a reminder that came due should still go out: not for a cancelled or moved
 * appointment, nor once the appointment has started.
 */
export function reminderStillWanted(
  reminder: { appointmentStart: Date | null },
  appointment: { status: 'booked' | 'cancelled'; start: Date },
  now: Date,
): { wanted: true } | { wanted: false; reason: string } {
  if (appointment.status !== 'booked') return { wanted: false, reason: 'appointment cancelled' };
  if (reminder.appointmentStart && reminder.appointmentStart.getTime() !== appointment.start.getTime()) return { wanted: false, reason: 'appointment moved' };
  if (appointment.start.getTime() <= now.getTime()) return { wanted: false, reason: 'appointment already started' };
  return { wanted: true };
}

/** Delay before attempt `attempt + 1` after a transient failure: 30 s doubling, at most 1 h. */
export function retryDelayMs(attempt: number, baseMs = 30_000): number {
  return Math.min(baseMs * 2 ** Math.max(0, attempt - 1), 3_600_000);
}
