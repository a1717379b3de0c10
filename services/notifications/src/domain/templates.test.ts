import { describe, it, expect } from 'vitest';
import ICAL from 'ical.js';
import { MESSAGE_KINDS, LOCALES, type AppointmentView, type RenderInput } from './messages.ts';
import { escapeHtml, formatPrice, renderMessage } from './templates.ts';

const appointment: AppointmentView = {
  id: '0190f2a4-7c1e-7a00-8000-000000000042',
  serviceName: 'Visita psichiatrica',
  start: new Date('2026-12-04T08:30:00Z'),
  end: new Date('2026-12-04T09:15:00Z'),
  timeZone: 'Europe/Rome',
  modality: 'in_person',
  price: { amount: 4500, currency: 'EUR' },
  providerName: 'Dr.ssa Bianchi',
  address: 'Via Roma 1',
  city: 'Milano',
  sequence: 0,
  cancelledBy: null,
};

const input = (over: Partial<RenderInput> = {}, a: Partial<AppointmentView> = {}): RenderInput => ({
  kind: 'appointment.confirmation',
  locale: 'it',
  appointment: { ...appointment, ...a },
  reminderOffsetMinutes: undefined,
  from: { address: 'no-reply@healthmatch.example', name: 'HealthMatch' },
  to: { address: 'paziente@example.it', name: 'Mario Rossi' },
  now: new Date('2026-11-20T10:00:00Z'),
  ...over,
});

function eventOf(content: string): { method: unknown; event: ICAL.Event } {
  const root = new ICAL.Component(ICAL.parse(content));
  ICAL.TimezoneService.register(root.getFirstSubcomponent('vtimezone')!);
  return { method: root.getFirstPropertyValue('method'), event: new ICAL.Event(root.getFirstSubcomponent('vevent')!) };
}

describe('renderMessage: every kind in every locale', () => {
  for (const kind of MESSAGE_KINDS) {
    for (const locale of LOCALES) {
      it(`${kind} (${locale})`, () => {
        const m = renderMessage(
          input({ kind, locale, reminderOffsetMinutes: kind === 'appointment.reminder' ? 1_440 : undefined }, {
            cancelledBy: kind.includes('cancel') ? 'patient' : null,
            sequence: kind.includes('cancel') ? 1 : 0,
          }),
        );
        // The subject says when, and nothing about what, how much or with whom.
        expect(m.subject).toMatch(locale === 'it' ? /ven 4 dic 2026, 09:30$/ : /Fri 4 Dec 2026, 09:30$/);
        for (const secret of ['psichiatrica', 'Visita', '45', '€', 'Bianchi', 'Milano']) {
          expect(m.subject).not.toContain(secret);
        }
        for (const body of [m.text, m.html]) {
          expect(body).toContain('Visita psichiatrica');
          expect(body).toContain('09:30');
          expect(body).toContain('Europe/Rome');
          expect(body).toContain('CET');
          expect(body).toContain(locale === 'it' ? '45,00\u00a0€' : '€45.00');
          expect(body).toContain(locale === 'it' ? 'In presenza' : 'In person');
          expect(body).toContain(locale === 'it' ? '45 minuti' : '45 minutes');
          expect(body).toContain('Via Roma 1, Milano');
          expect(body).toContain('Dr.ssa Bianchi');
          expect(body).toContain(`${locale === 'it' ? 'Riferimento appuntamento' : 'Appointment reference'}: 0190f2a4-7c1e-7a00-8000-000000000042`);
          expect(body).toContain(locale === 'it' ? 'non rispondere' : 'do not reply');
          // The recipient's name is not in the body (and never in the provider's messages).
          expect(body).not.toContain('Mario Rossi');
        }
        const isPatientCalendar = kind === 'appointment.confirmation' || kind === 'appointment.cancellation';
        expect(m.calendar !== undefined).toBe(isPatientCalendar);
        if (kind.startsWith('appointment.provider')) {
          expect(m.text).toMatch(locale === 'it' ? /agenda/ : /agenda/);
        }
      });
    }
  }
});

describe('renderMessage: subjects', () => {
  it('uses the wording of each kind', () => {
    const subject = (kind: RenderInput['kind'], locale: RenderInput['locale']): string => renderMessage(input({ kind, locale })).subject;
    expect(subject('appointment.confirmation', 'en')).toBe('Your appointment is confirmed – Fri 4 Dec 2026, 09:30');
    expect(subject('appointment.confirmation', 'it')).toBe('Il tuo appuntamento è confermato – ven 4 dic 2026, 09:30');
    expect(subject('appointment.provider-notice', 'en')).toBe('New booking – Fri 4 Dec 2026, 09:30');
    expect(subject('appointment.provider-notice', 'it')).toBe('Nuova prenotazione – ven 4 dic 2026, 09:30');
    expect(subject('appointment.cancellation', 'en')).toBe('Your appointment has been cancelled – Fri 4 Dec 2026, 09:30');
    expect(subject('appointment.cancellation', 'it')).toBe('Il tuo appuntamento è stato annullato – ven 4 dic 2026, 09:30');
    expect(subject('appointment.provider-cancellation', 'en')).toBe('Booking cancelled – Fri 4 Dec 2026, 09:30');
    expect(subject('appointment.provider-cancellation', 'it')).toBe('Prenotazione annullata – ven 4 dic 2026, 09:30');
    expect(subject('appointment.reminder', 'en')).toBe('Reminder: your appointment on Fri 4 Dec 2026, 09:30');
    expect(subject('appointment.reminder', 'it')).toBe('Promemoria: il tuo appuntamento del ven 4 dic 2026, 09:30');
  });

  it('shows the time in the provider zone, not in UTC or the server zone', () => {
    const ny = renderMessage(input({ locale: 'en' }, { timeZone: 'America/New_York', start: new Date('2026-07-01T13:00:00Z'), end: new Date('2026-07-01T13:30:00Z') }));
    expect(ny.subject).toBe('Your appointment is confirmed – Wed 1 Jul 2026, 09:00');
    expect(ny.text).toContain('Wednesday 1 July 2026, 09:00–09:30 (EDT, America/New_York)');
    const rome = renderMessage(input({ locale: 'it' }));
    expect(rome.text).toContain('venerdì 4 dicembre 2026, 09:30–10:15 (CET, Europe/Rome)');
    const romeSummer = renderMessage(input({ locale: 'it' }, { start: new Date('2026-07-15T07:30:00Z'), end: new Date('2026-07-15T08:00:00Z') }));
    expect(romeSummer.subject).toContain('mer 15 lug 2026, 09:30');
    expect(romeSummer.text).toContain('(CEST, Europe/Rome)');
  });
});

describe('renderMessage: bodies', () => {
  it('escapes every interpolated value in HTML and keeps the text body verbatim', () => {
    const evil = `<script>alert(1)</script> & "x" 'y'`;
    const m = renderMessage(
      input({ locale: 'en' }, { serviceName: evil, providerName: `<b>Dr</b>`, address: `"><img src=x onerror=alert(1)>`, city: 'A&B' }),
    );
    expect(m.html).not.toContain('<script>');
    expect(m.html).not.toContain('<b>Dr');
    expect(m.html).not.toContain('<img');
    expect(m.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;x&quot; &#39;y&#39;');
    expect(m.html).toContain('&lt;b&gt;Dr&lt;/b&gt;');
    expect(m.html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;, A&amp;B');
    expect(m.text).toContain(`Service: ${evil}`);
    expect(m.subject).not.toContain('script');
    // No link a mail client could not open: the appointment reference instead.
    expect(m.text).not.toMatch(/https?:\/\//);
    expect(m.html).not.toMatch(/href=/);
    expect(m.text).toContain('Appointment reference: 0190f2a4-7c1e-7a00-8000-000000000042');
  });

  it('shows a video visit without an address, and says so in the invite location', () => {
    for (const [locale, word] of [['it', 'Televisita'], ['en', 'Video visit']] as const) {
      const m = renderMessage(input({ locale }, { modality: 'telehealth', address: 'Via Nascosta 9', city: 'Roma' }));
      expect(m.text).toContain(word);
      expect(m.text).not.toContain('Via Nascosta');
      expect(eventOf(m.calendar!.content).event.location).toBe(word);
    }
  });

  it('shows an unknown modality as it is and no provider line when there is no provider name', () => {
    const m = renderMessage(input({ locale: 'en' }, { modality: 'home_visit', providerName: null }));
    expect(m.text).toContain('Type: home_visit');
    expect(m.text).not.toContain('Provider:');
    expect(eventOf(m.calendar!.content).event.summary).toBe('Appointment – HealthMatch');
  });

  it('says who cancelled, from the reader point of view', () => {
    const text = (kind: RenderInput['kind'], locale: RenderInput['locale'], by: 'patient' | 'provider'): string =>
      renderMessage(input({ kind, locale }, { cancelledBy: by })).text;
    expect(text('appointment.cancellation', 'en', 'patient')).toContain('Cancelled by: you');
    expect(text('appointment.cancellation', 'en', 'provider')).toContain('Cancelled by: the provider');
    expect(text('appointment.provider-cancellation', 'en', 'patient')).toContain('Cancelled by: the patient');
    expect(text('appointment.provider-cancellation', 'it', 'provider')).toContain('Annullato da: te');
    expect(text('appointment.cancellation', 'it', 'provider')).toContain('Annullato da: il professionista');
    expect(renderMessage(input({ kind: 'appointment.cancellation' })).text).not.toContain('Annullato da');
  });

  it('says how far away the appointment is in a reminder', () => {
    expect(renderMessage(input({ kind: 'appointment.reminder', locale: 'en', reminderOffsetMinutes: 1_440 })).text).toContain('in 1 day');
    expect(renderMessage(input({ kind: 'appointment.reminder', locale: 'it', reminderOffsetMinutes: 150 })).text).toContain('tra 2 ore 30 minuti');
    expect(renderMessage(input({ kind: 'appointment.reminder', locale: 'en' })).text).toContain('upcoming appointment');
  });

  it('formats prices from minor units for the locale and currency', () => {
    expect(formatPrice(4500, 'EUR', 'it')).toBe('45,00\u00a0€');
    expect(formatPrice(4500, 'EUR', 'en')).toBe('€45.00');
    expect(formatPrice(123456, 'EUR', 'it')).toBe('1234,56\u00a0€');
    expect(formatPrice(5000, 'JPY', 'en')).toBe('¥5,000');
    expect(formatPrice(199, 'XXX1', 'en')).toBe('1.99 XXX1');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`&<>"'`)).toBe('&amp;&lt;&gt;&quot;&#39;');
  });
});

describe('renderMessage: calendar invites', () => {
  it('attaches a REQUEST to the confirmation and a CANCEL with the same UID to the cancellation', () => {
    const confirmation = renderMessage(input({ kind: 'appointment.confirmation' }));
    const cancellation = renderMessage(input({ kind: 'appointment.cancellation' }, { sequence: 2, cancelledBy: 'provider' }));
    expect(confirmation.calendar!.method).toBe('REQUEST');
    expect(cancellation.calendar!.method).toBe('CANCEL');

    const request = eventOf(confirmation.calendar!.content);
    const cancel = eventOf(cancellation.calendar!.content);
    expect(request.method).toBe('REQUEST');
    expect(cancel.method).toBe('CANCEL');
    expect(request.event.uid).toBe('0190f2a4-7c1e-7a00-8000-000000000042@healthmatch');
    expect(cancel.event.uid).toBe(request.event.uid);
    expect(request.event.sequence).toBe(0);
    expect(cancel.event.sequence).toBe(2);
    // The event title never names the service: calendars are shared and synced.
    expect(request.event.summary).toMatch(/^(Appuntamento|Appointment) – HealthMatch$/);
    expect(confirmation.calendar!.content).not.toContain('psichiatrica');
    expect(confirmation.calendar!.content).not.toContain('Bianchi');
    expect(request.event.location).toBe('Via Roma 1, Milano');
    expect(request.event.startDate.toJSDate().toISOString()).toBe('2026-12-04T08:30:00.000Z');
    expect(request.event.endDate.toJSDate().toISOString()).toBe('2026-12-04T09:15:00.000Z');
    expect(request.event.organizer).toBe('mailto:no-reply@healthmatch.example');
    expect(request.event.attendees.map((p) => p.getFirstValue())).toEqual(['mailto:paziente@example.it']);
    expect(request.event.attendees[0]!.getParameter('cn')).toBe('Mario Rossi');
  });

  it('attaches nothing to the other kinds', () => {
    for (const kind of ['appointment.provider-notice', 'appointment.provider-cancellation', 'appointment.reminder'] as const) {
      expect(renderMessage(input({ kind })).calendar).toBeUndefined();
    }
  });
});
