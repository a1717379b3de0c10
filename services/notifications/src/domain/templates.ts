// The text of every message, in Italian and English, as plain functions over a dictionary
// per locale (no template engine: the messages are few and a typed dictionary makes a
// missing translation a compile error).
//
// Subjects are read by anyone who glances at a lock screen or a shared inbox, so they say
// only that there is an appointment and when: never the service (a "psychiatric visit" is
// health data), the price or the provider. Bodies carry the details.
//
// Every value in the HTML body goes through escapeHtml: service names, addresses and
// provider names are typed by providers and must not become markup.
import { DateTime } from 'luxon';
import { buildCalendar, zoneAbbreviation } from './ics.ts';
import type { AppointmentView, Locale, MessageKind, RenderInput, RenderedMessage } from './messages.ts';

type Audience = 'patient' | 'provider';

interface Dictionary {
  /** Locale for luxon and Intl (en: "Fri 4 Dec 2026", it: "ven 4 dic 2026"). */
  intl: string;
  subject: Record<MessageKind, (when: string) => string>;
  intro: Record<MessageKind, (reminderIn: string | null) => string>;
  label: {
    service: string;
    when: string;
    duration: string;
    modality: string;
    provider: string;
    where: string;
    price: string;
    cancelledBy: string;
  };
  modality: { in_person: string; telehealth: string };
  cancelledBy: Record<Audience, Record<'patient' | 'provider', string>>;
  /** What the reader can do next; no links: there is no page a mail client could open yet. */
  manage: Record<MessageKind, string | null>;
  reference: string;
  /** Title of the calendar event: never the service or the provider (calendars get shared and synced). */
  eventTitle: string;
  footer: string;
  unit: { day: [string, string]; hour: [string, string]; minute: [string, string] };
}

const DICTIONARIES: Record<Locale, Dictionary> = {
  en: {
    intl: 'en',
    subject: {
      'appointment.confirmation': (when) => `Your appointment is confirmed – ${when}`,
      'appointment.provider-notice': (when) => `New booking – ${when}`,
      'appointment.cancellation': (when) => `Your appointment has been cancelled – ${when}`,
      'appointment.provider-cancellation': (when) => `Booking cancelled – ${when}`,
      'appointment.reminder': (when) => `Reminder: your appointment on ${when}`,
    },
    intro: {
      'appointment.confirmation': () => 'Your appointment is confirmed. The calendar invite is attached.',
      'appointment.provider-notice': () =>
        'A new appointment has been booked with you. Check your agenda in HealthMatch for the details.',
      'appointment.cancellation': () => 'Your appointment has been cancelled. The attached update removes it from your calendar.',
      'appointment.provider-cancellation': () =>
        'An appointment has been cancelled. Check your agenda in HealthMatch: the time is free again.',
      'appointment.reminder': (reminderIn) =>
        reminderIn ? `A reminder: your appointment is in ${reminderIn}.` : 'A reminder of your upcoming appointment.',
    },
    label: {
      service: 'Service',
      when: 'When',
      duration: 'Duration',
      modality: 'Type',
      provider: 'Provider',
      where: 'Where',
      price: 'Price',
      cancelledBy: 'Cancelled by',
    },
    modality: { in_person: 'In person', telehealth: 'Video visit' },
    cancelledBy: {
      patient: { patient: 'you', provider: 'the provider' },
      provider: { patient: 'the patient', provider: 'you' },
    },
    manage: {
      'appointment.confirmation': 'To see or cancel it, sign in to HealthMatch.',
      'appointment.provider-notice': null,
      'appointment.cancellation': null,
      'appointment.provider-cancellation': null,
      'appointment.reminder': 'To see or cancel it, sign in to HealthMatch.',
    },
    reference: 'Appointment reference',
    eventTitle: 'Appointment',
    footer: 'This is an automated message from HealthMatch: please do not reply to it.',
    unit: { day: ['day', 'days'], hour: ['hour', 'hours'], minute: ['minute', 'minutes'] },
  },
  it: {
    intl: 'it',
    subject: {
      'appointment.confirmation': (when) => `Il tuo appuntamento è confermato – ${when}`,
      'appointment.provider-notice': (when) => `Nuova prenotazione – ${when}`,
      'appointment.cancellation': (when) => `Il tuo appuntamento è stato annullato – ${when}`,
      'appointment.provider-cancellation': (when) => `Prenotazione annullata – ${when}`,
      'appointment.reminder': (when) => `Promemoria: il tuo appuntamento del ${when}`,
    },
    intro: {
      'appointment.confirmation': () => "Il tuo appuntamento è confermato. In allegato trovi l'invito per il calendario.",
      'appointment.provider-notice': () =>
        'È stato prenotato un nuovo appuntamento con te. Consulta la tua agenda su HealthMatch per i dettagli.',
      'appointment.cancellation': () =>
        "Il tuo appuntamento è stato annullato. L'aggiornamento in allegato lo rimuove dal tuo calendario.",
      'appointment.provider-cancellation': () =>
        "Un appuntamento è stato annullato. Consulta la tua agenda su HealthMatch: l'orario è di nuovo libero.",
      'appointment.reminder': (reminderIn) =>
        reminderIn ? `Promemoria: il tuo appuntamento è tra ${reminderIn}.` : 'Promemoria del tuo prossimo appuntamento.',
    },
    label: {
      service: 'Prestazione',
      when: 'Quando',
      duration: 'Durata',
      modality: 'Modalità',
      provider: 'Professionista',
      where: 'Dove',
      price: 'Prezzo',
      cancelledBy: 'Annullato da',
    },
    modality: { in_person: 'In presenza', telehealth: 'Televisita' },
    cancelledBy: {
      patient: { patient: 'te', provider: 'il professionista' },
      provider: { patient: 'il paziente', provider: 'te' },
    },
    manage: {
      'appointment.confirmation': "Per vederlo o annullarlo, accedi a HealthMatch.",
      'appointment.provider-notice': null,
      'appointment.cancellation': null,
      'appointment.provider-cancellation': null,
      'appointment.reminder': "Per vederlo o annullarlo, accedi a HealthMatch.",
    },
    reference: 'Riferimento appuntamento',
    eventTitle: 'Appuntamento',
    footer: 'Messaggio automatico di HealthMatch: non rispondere a questa e-mail.',
    unit: { day: ['giorno', 'giorni'], hour: ['ora', 'ore'], minute: ['minuto', 'minuti'] },
  },
};

const AUDIENCE: Record<MessageKind, Audience> = {
  'appointment.confirmation': 'patient',
  'appointment.provider-notice': 'provider',
  'appointment.cancellation': 'patient',
  'appointment.provider-cancellation': 'provider',
  'appointment.reminder': 'patient',
};

export function renderMessage(input: RenderInput): RenderedMessage {
  const dict = DICTIONARIES[input.locale];
  if (!dict) throw new Error(`unsupported locale: ${String(input.locale)}`);
  const { kind, appointment: a } = input;
  const audience = AUDIENCE[kind];
  if (!audience) throw new Error(`unknown message kind: ${String(kind)}`);

  const start = DateTime.fromJSDate(a.start, { zone: a.timeZone }).setLocale(dict.intl);
  const end = DateTime.fromJSDate(a.end, { zone: a.timeZone }).setLocale(dict.intl);
  if (!start.isValid || !end.isValid) throw new Error(`cannot show the appointment time in zone ${a.timeZone}`);

  const subject = dict.subject[kind](start.toFormat('ccc d LLL yyyy, HH:mm'));
  const reminderIn =
    kind === 'appointment.reminder' && input.reminderOffsetMinutes !== undefined && input.reminderOffsetMinutes > 0
      ? formatMinutes(input.reminderOffsetMinutes, dict)
      : null;
  const intro = dict.intro[kind](reminderIn);
  const manage = dict.manage[kind];
  const reference = `${dict.reference}: ${a.id}`;

  const rows = detailRows(a, dict, audience, kind, start, end);
  const text = [
    intro,
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    '',
    ...(manage ? [manage] : []),
    reference,
    '',
    '-- ', // the usual signature separator: mail clients dim what follows
    dict.footer,
    '',
  ].join('\n');

  const html = [
    '<!DOCTYPE html>',
    `<html lang="${input.locale}">`,
    `<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family:Arial,Helvetica,sans-serif;color:#1f2933;line-height:1.5">',
    `<p>${escapeHtml(intro)}</p>`,
    '<table role="presentation" cellpadding="4" cellspacing="0" style="border-collapse:collapse">',
    ...rows.map(
      ([label, value]) =>
        `<tr><th align="left" style="padding-right:16px;vertical-align:top">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    ...(manage ? [`<p>${escapeHtml(manage)}</p>`] : []),
    `<p style="color:#6b7280">${escapeHtml(reference)}</p>`,
    `<p style="color:#6b7280;font-size:12px">${escapeHtml(dict.footer)}</p>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');

  const calendar = calendarFor(input, dict, reference);
  return calendar ? { subject, text, html, calendar } : { subject, text, html };
}

function detailRows(
  a: AppointmentView,
  dict: Dictionary,
  audience: Audience,
  kind: MessageKind,
  start: DateTime,
  end: DateTime,
): [string, string][] {
  const rows: [string, string][] = [
    [dict.label.service, a.serviceName],
    [dict.label.when, formatWhen(a, start, end)],
    [dict.label.duration, formatMinutes(Math.round((a.end.getTime() - a.start.getTime()) / 60_000), dict)],
    [dict.label.modality, modalityName(a.modality, dict)],
  ];
  if (a.providerName) rows.push([dict.label.provider, a.providerName]);
  if (a.modality === 'in_person') {
    const where = placeOf(a);
    if (where) rows.push([dict.label.where, where]);
  }
  rows.push([dict.label.price, formatPrice(a.price.amount, a.price.currency, dict.intl)]);
  const isCancellation = kind === 'appointment.cancellation' || kind === 'appointment.provider-cancellation';
  if (isCancellation && a.cancelledBy) rows.push([dict.label.cancelledBy, dict.cancelledBy[audience][a.cancelledBy]]);
  return rows;
}

/** "venerdì 4 dicembre 2026, 09:30–10:00 (CET, Europe/Rome)": the zone is always named. */
function formatWhen(a: AppointmentView, start: DateTime, end: DateTime): string {
  const abbreviation = zoneAbbreviation(a.timeZone, a.start.getTime());
  const zone = abbreviation === a.timeZone ? a.timeZone : `${abbreviation}, ${a.timeZone}`;
  const sameDay = start.toISODate() === end.toISODate();
  const until = sameDay ? end.toFormat('HH:mm') : end.toFormat('cccc d LLLL yyyy, HH:mm');
  return `${start.toFormat('cccc d LLLL yyyy, HH:mm')}–${until} (${zone})`;
}

function modalityName(modality: string, dict: Dictionary): string {
  if (modality === 'in_person') return dict.modality.in_person;
  if (modality === 'telehealth') return dict.modality.telehealth;
  return modality;
}

function placeOf(a: AppointmentView): string | undefined {
  const parts = [a.address, a.city].map((p) => p?.trim()).filter((p): p is string => !!p);
  return parts.length > 0 ? parts.join(', ') : undefined;
}

/** 90 -> "1 hour 30 minutes" / "1 ora 30 minuti". */
function formatMinutes(total: number, dict: Dictionary): string {
  const days = Math.floor(total / 1_440);
  const hours = Math.floor((total % 1_440) / 60);
  const minutes = total % 60;
  const part = (n: number, [one, many]: [string, string]): string => `${n} ${n === 1 ? one : many}`;
  const parts: string[] = [];
  if (days) parts.push(part(days, dict.unit.day));
  if (hours) parts.push(part(hours, dict.unit.hour));
  if (minutes || parts.length === 0) parts.push(part(minutes, dict.unit.minute));
  return parts.join(' ');
}

/**
 * `amount` is in minor units (cents); the currency says how many decimals it has. Intl puts
 * a no-break space between the amount and the symbol in Italian ("45,00\u00a0€"), which
 * keeps them on the same line.
 */
export function formatPrice(amount: number, currency: string, locale: string): string {
  try {
    const format = new Intl.NumberFormat(locale, { style: 'currency', currency });
    const digits = format.resolvedOptions().maximumFractionDigits ?? 2;
    return format.format(amount / 10 ** digits);
  } catch {
    // An unknown currency code: still show something exact rather than fail the message.
    return `${(amount / 100).toFixed(2)} ${currency}`;
  }
}

function calendarFor(input: RenderInput, dict: Dictionary, reference: string): RenderedMessage['calendar'] {
  const method =
    input.kind === 'appointment.confirmation' ? 'REQUEST' : input.kind === 'appointment.cancellation' ? 'CANCEL' : null;
  if (!method) return undefined;
  const a = input.appointment;
  const location = a.modality === 'telehealth' ? dict.modality.telehealth : placeOf(a);
  const content = buildCalendar({
    method,
    uid: `${a.id}@healthmatch`,
    sequence: a.sequence,
    stamp: input.now,
    start: a.start,
    end: a.end,
    timeZone: a.timeZone,
    // Neither the service nor the provider (a name like "Studio Cardiologico" tells the
    // specialty): calendars are shared and synced. The mail body has both.
    summary: `${dict.eventTitle} – HealthMatch`,
    description: reference,
    ...(location ? { location } : {}),
    organizer: input.from,
    attendee: input.to,
  });
  return { method, content };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}
