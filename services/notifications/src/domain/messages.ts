// The vocabulary of the notifications service: what kinds of message it sends, to whom,
// in which language, and the appointment facts a message may show. Rendering
// (templates.ts, ics.ts) and the delivery worker share these shapes.

export type Locale = 'it' | 'en';
export const LOCALES: readonly Locale[] = ['it', 'en'];
export const DEFAULT_LOCALE: Locale = 'it';

export type MessageKind =
  /** To the patient after booking; carries the calendar invite (METHOD:REQUEST). */
  | 'appointment.confirmation'
  /** To the provider after booking. */
  | 'appointment.provider-notice'
  /** To the patient after a cancellation; carries METHOD:CANCEL with the same UID. */
  | 'appointment.cancellation'
  /** To the provider after a cancellation. */
  | 'appointment.provider-cancellation'
  /** To the patient, `reminderOffsetMinutes` before the start. */
  | 'appointment.reminder';

export const MESSAGE_KINDS: readonly MessageKind[] = [
  'appointment.confirmation',
  'appointment.provider-notice',
  'appointment.cancellation',
  'appointment.provider-cancellation',
  'appointment.reminder',
];

/** The appointment as a message shows it (from the events; never the cancellation reason). */
export interface AppointmentView {
  readonly id: string;
  readonly serviceName: string;
  readonly start: Date;
  readonly end: Date;
  /** IANA zone of the provider: times are shown and put in the invite in this zone. */
  readonly timeZone: string;
  /** 'in_person' | 'telehealth' (other values are shown as they are). */
  readonly modality: string;
  readonly price: { readonly amount: number; readonly currency: string };
  readonly providerName: string | null;
  readonly address: string | null;
  readonly city: string | null;
  /** iCalendar SEQUENCE: 0 when booked, grows with every change (cancel = last). */
  readonly sequence: number;
  readonly cancelledBy: 'patient' | 'provider' | null;
}

export interface MailAddress {
  readonly address: string;
  readonly name?: string;
}

export interface RenderInput {
  readonly kind: MessageKind;
  readonly locale: Locale;
  readonly appointment: AppointmentView;
  /** Reminders only: how long before the start this one goes out. */
  readonly reminderOffsetMinutes?: number;
  /** The sender (ORGANIZER of invites) and the recipient (ATTENDEE of the patient's invites). */
  readonly from: MailAddress;
  readonly to: MailAddress;
  /** DTSTAMP of invites: when the message was composed. */
  readonly now: Date;
}

export interface RenderedMessage {
  /** Never names the service or anything about health: "Your appointment ..." only. */
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** For confirmation (REQUEST) and cancellation (CANCEL) to the patient. */
  readonly calendar?: { readonly method: 'REQUEST' | 'CANCEL'; readonly content: string };
}
