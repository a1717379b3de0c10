// HTTP DTOs of the notifications service: the delivery log. Each message the platform
// sends (or will send: reminders) is one entry, readable by its recipient and by admins.
import { Type, type Static } from '@sinclair/typebox';
import { Instant, PageQuery, Uuid, page } from './common.ts';

export const NotificationKind = Type.Union(
  [
    Type.Literal('appointment.confirmation'),
    Type.Literal('appointment.provider-notice'),
    Type.Literal('appointment.cancellation'),
    Type.Literal('appointment.provider-cancellation'),
    Type.Literal('appointment.reminder'),
  ],
  { description: 'what the message is about' },
);

export const NotificationStatus = Type.Union(
  [Type.Literal('scheduled'), Type.Literal('queued'), Type.Literal('sending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('cancelled')],
  {
    description:
      'scheduled: a reminder waiting for its time; queued: due, waiting for (another) attempt; sending: an attempt is in flight; ' +
      'sent: the mail server accepted it; failed: given up (see lastError); cancelled: a reminder no longer needed (appointment cancelled or moved)',
  },
);
export type NotificationStatus = Static<typeof NotificationStatus>;

export const Notification = Type.Object({
  id: Uuid,
  kind: NotificationKind,
  status: NotificationStatus,
  channel: Type.Literal('email'),
  recipientId: Uuid,
  recipientRole: Type.Union([Type.Literal('patient'), Type.Literal('provider')]),
  appointmentId: Type.Union([Uuid, Type.Null()]),
  /** Recorded at the attempt that sent it; null before. */
  toAddress: Type.Union([Type.String(), Type.Null()]),
  subject: Type.Union([Type.String(), Type.Null()]),
  reminderOffsetMinutes: Type.Union([Type.Integer(), Type.Null()]),
  /** Not sent before this instant (reminders: the appointment start minus the offset). */
  notBefore: Instant,
  attempts: Type.Integer({ minimum: 0 }),
  lastError: Type.Union([Type.String(), Type.Null()], { description: 'why the last attempt failed, or why it was cancelled' }),
  /** The Message-ID header: the same on a resend, so a duplicate is recognisable. */
  messageId: Type.String(),
  createdAt: Instant,
  sentAt: Type.Union([Instant, Type.Null()]),
});
export type Notification = Static<typeof Notification>;
export const NotificationsPage = page(Notification);

export const MyNotificationsQuery = Type.Object(
  { status: Type.Optional(NotificationStatus), appointmentId: Type.Optional(Uuid), ...PageQuery },
  { additionalProperties: false },
);
export type MyNotificationsQuery = Static<typeof MyNotificationsQuery>;

export const AdminNotificationsQuery = Type.Object(
  { recipientId: Type.Optional(Uuid), status: Type.Optional(NotificationStatus), appointmentId: Type.Optional(Uuid), ...PageQuery },
  { additionalProperties: false },
);
export type AdminNotificationsQuery = Static<typeof AdminNotificationsQuery>;
