import { describe, it, expect } from 'vitest';
import ICAL from 'ical.js';
import { buildCalendar, foldLine, type CalendarInput } from './ics.ts';

const base: CalendarInput = {
  method: 'REQUEST',
  uid: '0190f2a4-7c1e-7a00-8000-000000000001@healthmatch',
  sequence: 0,
  stamp: new Date('2026-06-01T10:00:00.456Z'),
  start: new Date('2026-07-15T07:30:00Z'),
  end: new Date('2026-07-15T08:00:00Z'),
  timeZone: 'Europe/Rome',
  summary: 'Visita cardiologica – Dr. Rossi',
  organizer: { address: 'no-reply@healthmatch.example', name: 'HealthMatch' },
  attendee: { address: 'paziente@example.it', name: 'Mario Rossi' },
};

interface Parsed {
  root: ICAL.Component;
  event: ICAL.Event;
  vevent: ICAL.Component;
}

/** Parses with ical.js, registering the invite's own VTIMEZONE (replacing any earlier one). */
function parse(text: string): Parsed {
  const root = new ICAL.Component(ICAL.parse(text));
  const vtimezones = root.getAllSubcomponents('vtimezone');
  expect(vtimezones).toHaveLength(1);
  ICAL.TimezoneService.register(vtimezones[0]!);
  const vevent = root.getFirstSubcomponent('vevent')!;
  return { root, vevent, event: new ICAL.Event(vevent) };
}

function physicalLines(text: string): string[] {
  expect(text.endsWith('\r\n')).toBe(true);
  // Every line break is CRLF: no bare CR or LF anywhere.
  expect(text.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  return text.slice(0, -2).split('\r\n');
}

describe('buildCalendar: times', () => {
  const cases: { name: string; timeZone: string; start: string; end: string; localStart?: string; localEnd?: string; utcStart?: string }[] = [
    { name: 'Europe/Rome in summer (CEST)', timeZone: 'Europe/Rome', start: '2026-07-15T07:30:00Z', end: '2026-07-15T08:00:00Z', localStart: '20260715T093000', localEnd: '20260715T100000' },
    { name: 'Europe/Rome in winter (CET)', timeZone: 'Europe/Rome', start: '2026-12-04T08:30:00Z', end: '2026-12-04T09:15:00Z', localStart: '20261204T093000', localEnd: '20261204T101500' },
    // 01:30 CET to 03:30 CEST: two wall-clock hours, one real hour.
    { name: 'Europe/Rome across the spring-forward night', timeZone: 'Europe/Rome', start: '2026-03-29T00:30:00Z', end: '2026-03-29T01:30:00Z', localStart: '20260329T013000', localEnd: '20260329T033000' },
    // 02:30 happens twice on 2026-10-25 (CEST, then CET); clients disagree on which one a
    // TZID time means, so both are written in UTC, and the end (03:00 CET) with TZID.
    { name: 'Europe/Rome in the first occurrence of the repeated hour', timeZone: 'Europe/Rome', start: '2026-10-25T00:30:00Z', end: '2026-10-25T02:00:00Z', utcStart: '20261025T003000Z', localEnd: '20261025T030000' },
    { name: 'Europe/Rome in the second occurrence of the repeated hour', timeZone: 'Europe/Rome', start: '2026-10-25T01:30:00Z', end: '2026-10-25T02:30:00Z', utcStart: '20261025T013000Z', localEnd: '20261025T033000' },
    { name: 'America/New_York in winter', timeZone: 'America/New_York', start: '2026-01-20T14:00:00Z', end: '2026-01-20T15:00:00Z', localStart: '20260120T090000', localEnd: '20260120T100000' },
    { name: 'America/New_York in summer, just after the change', timeZone: 'America/New_York', start: '2026-03-08T07:00:00Z', end: '2026-03-08T08:00:00Z', localStart: '20260308T030000', localEnd: '20260308T040000' },
    { name: 'UTC', timeZone: 'UTC', start: '2026-05-05T10:00:00Z', end: '2026-05-05T10:20:00Z', localStart: '20260505T100000', localEnd: '20260505T102000' },
    { name: 'Asia/Kolkata (+05:30, no DST)', timeZone: 'Asia/Kolkata', start: '2026-02-10T04:00:00Z', end: '2026-02-10T04:45:00Z', localStart: '20260210T093000', localEnd: '20260210T101500' },
    { name: 'Australia/Sydney (southern hemisphere DST), new year', timeZone: 'Australia/Sydney', start: '2026-12-31T22:00:00Z', end: '2027-01-01T00:00:00Z', localStart: '20270101T090000', localEnd: '20270101T110000' },
  ];

  for (const c of cases) {
    it(`converts back to the same instants: ${c.name}`, () => {
      const text = buildCalendar({ ...base, timeZone: c.timeZone, start: new Date(c.start), end: new Date(c.end) });
      const { event } = parse(text);
      expect(event.startDate.toJSDate().toISOString()).toBe(new Date(c.start).toISOString());
      expect(event.endDate.toJSDate().toISOString()).toBe(new Date(c.end).toISOString());
      if (c.localStart) expect(text).toContain(`\r\nDTSTART;TZID=${c.timeZone}:${c.localStart}\r\n`);
      if (c.localEnd) expect(text).toContain(`\r\nDTEND;TZID=${c.timeZone}:${c.localEnd}\r\n`);
      if (c.utcStart) expect(text).toContain(`\r\nDTSTART:${c.utcStart}\r\n`);
    });
  }

  it('writes a single STANDARD observance for zones without DST', () => {
    for (const [timeZone, offset] of [['UTC', '+0000'], ['Asia/Tokyo', '+0900'], ['Asia/Kolkata', '+0530']] as const) {
      const { root } = parse(buildCalendar({ ...base, timeZone }));
      const vtz = root.getFirstSubcomponent('vtimezone')!;
      expect(vtz.getFirstPropertyValue('tzid')).toBe(timeZone);
      expect(vtz.getAllSubcomponents('daylight')).toHaveLength(0);
      const standard = vtz.getAllSubcomponents('standard');
      expect(standard).toHaveLength(1);
      expect(standard[0]!.getFirstProperty('tzoffsetto')!.toICALString()).toBe(`TZOFFSETTO:${offset}`);
    }
  });

  it('lists the real transitions of the year before and after the event', () => {
    const text = buildCalendar(base); // July 2026, Europe/Rome
    for (const onset of ['20250330T020000', '20251026T030000', '20260329T020000', '20261025T030000', '20270328T020000', '20271031T030000']) {
      expect(text).toContain(`\r\nDTSTART:${onset}\r\n`);
    }
    const vtz = parse(text).root.getFirstSubcomponent('vtimezone')!;
    const daylight = vtz.getAllSubcomponents('daylight');
    expect(daylight).toHaveLength(3);
    for (const d of daylight) {
      expect(d.getFirstProperty('tzoffsetfrom')!.toICALString()).toBe('TZOFFSETFROM:+0100');
      expect(d.getFirstProperty('tzoffsetto')!.toICALString()).toBe('TZOFFSETTO:+0200');
      expect(d.getFirstPropertyValue('tzname')).toBe('CEST');
    }
  });

  it('writes DTSTAMP in UTC with Z, to the second', () => {
    expect(buildCalendar(base)).toContain('\r\nDTSTAMP:20260601T100000Z\r\n');
  });

  it('refuses an unknown zone and an end before the start', () => {
    expect(() => buildCalendar({ ...base, timeZone: 'Mars/Olympus' })).toThrow(/time zone/);
    expect(() => buildCalendar({ ...base, end: new Date('2026-07-15T07:00:00Z') })).toThrow(/before start/);
  });
});

describe('buildCalendar: structure', () => {
  it('has the calendar header, method, UID, SEQUENCE and STATUS of a REQUEST', () => {
    const text = buildCalendar(base);
    const lines = physicalLines(text);
    expect(lines.slice(0, 5)).toEqual([
      'BEGIN:VCALENDAR',
      'PRODID:-//HealthMatch//Notifications//EN',
      'VERSION:2.0',
      'CALSCALE:GREGORIAN',
      'METHOD:REQUEST',
    ]);
    const { root, vevent, event } = parse(text);
    expect(root.getFirstPropertyValue('method')).toBe('REQUEST');
    expect(event.uid).toBe(base.uid);
    expect(event.sequence).toBe(0);
    expect(event.summary).toBe(base.summary);
    expect(vevent.getFirstPropertyValue('status')).toBe('CONFIRMED');
    expect(vevent.getFirstPropertyValue('transp')).toBe('OPAQUE');
    expect(vevent.getFirstPropertyValue('description')).toBeNull();
    expect(vevent.getFirstPropertyValue('location')).toBeNull();

    const organizer = vevent.getFirstProperty('organizer')!;
    expect(organizer.getFirstValue()).toBe('mailto:no-reply@healthmatch.example');
    expect(organizer.getParameter('cn')).toBe('HealthMatch');
    const attendee = vevent.getFirstProperty('attendee')!;
    expect(attendee.getFirstValue()).toBe('mailto:paziente@example.it');
    expect(attendee.getParameter('cn')).toBe('Mario Rossi');
    expect(attendee.getParameter('role')).toBe('REQ-PARTICIPANT');
    expect(attendee.getParameter('partstat')).toBe('NEEDS-ACTION');
    expect(attendee.getParameter('rsvp')).toBe('FALSE');
    expect(text.replace(/\r\n /g, '')).toMatch(/\r\nATTENDEE;CN="Mario Rossi";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:/);
  });

  it('keeps the UID of a cancellation, with its higher SEQUENCE and STATUS:CANCELLED', () => {
    const request = parse(buildCalendar(base));
    const cancel = parse(buildCalendar({ ...base, method: 'CANCEL', sequence: 3, stamp: new Date('2026-06-02T00:00:00Z') }));
    expect(cancel.root.getFirstPropertyValue('method')).toBe('CANCEL');
    expect(cancel.event.uid).toBe(request.event.uid);
    expect(cancel.event.sequence).toBe(3);
    expect(cancel.vevent.getFirstPropertyValue('status')).toBe('CANCELLED');
  });

  it('is deterministic for the same input', () => {
    expect(buildCalendar(base)).toBe(buildCalendar({ ...base }));
  });
});

describe('buildCalendar: escaping and folding', () => {
  it('round-trips backslash, semicolon, comma and newlines in TEXT values', () => {
    const tricky = 'a,b;c\\d\ne "f" \\n g:h';
    const { vevent, event } = parse(
      buildCalendar({ ...base, summary: tricky, description: `${tricky}\r\nline 3\rline 4`, location: 'Via Roma 1, Milano; piano 2' }),
    );
    expect(event.summary).toBe(tricky);
    expect(event.description).toBe(`${tricky}\nline 3\nline 4`);
    expect(event.location).toBe('Via Roma 1, Milano; piano 2');
    expect(vevent.getAllProperties()).toHaveLength(12);
  });

  it('lets no line break in a value start a property of its own', () => {
    const attack = 'x\r\nATTENDEE:mailto:evil@attacker.example\r\nEND:VEVENT';
    const text = buildCalendar({
      ...base,
      uid: `u1${attack}`,
      summary: attack,
      location: `${attack}\u2028y`,
      organizer: { address: base.organizer.address, name: `Evil"\r\n;CN=x:mailto:a@b.it` },
      attendee: { address: base.attendee.address, name: `Mario\nRossi\u2029"` },
    });
    const lines = physicalLines(text);
    expect(lines.filter((l) => l.startsWith('ATTENDEE'))).toHaveLength(1);
    expect(lines.filter((l) => l === 'END:VEVENT')).toHaveLength(1);
    const { vevent, event } = parse(text);
    expect(vevent.getAllProperties('attendee')).toHaveLength(1);
    expect(event.summary).toBe('x\nATTENDEE:mailto:evil@attacker.example\nEND:VEVENT');
    expect(event.uid).toBe('u1x\nATTENDEE:mailto:evil@attacker.example\nEND:VEVENT');
    expect(event.location).toBe('x\nATTENDEE:mailto:evil@attacker.example\nEND:VEVENT\ny');
    expect(vevent.getFirstProperty('organizer')!.getParameter('cn')).toBe('Evil ;CN=x:mailto:a@b.it');
    expect(vevent.getFirstProperty('organizer')!.getFirstValue()).toBe('mailto:no-reply@healthmatch.example');
    expect(vevent.getFirstProperty('attendee')!.getParameter('cn')).toBe('Mario Rossi');
  });

  it('refuses an address that is not a plain mail address', () => {
    expect(() => buildCalendar({ ...base, attendee: { address: 'a@b.it\r\nX: y' } })).toThrow(/attendee/);
  });

  it('folds at 75 octets without splitting characters, and a long summary round-trips exactly', () => {
    const unit = 'Visita è già fissata – perché? 😀👩‍⚕️ ';
    let summary = '';
    while (Array.from(summary).length < 300) summary += unit;
    summary = Array.from(summary).slice(0, 300).join('');
    const text = buildCalendar({ ...base, summary, description: summary.repeat(3) });
    const lines = physicalLines(text);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    let continuations = 0;
    for (const line of lines) {
      expect(Buffer.byteLength(line, 'utf8'), line).toBeLessThanOrEqual(75);
      expect(loneSurrogate.test(line), line).toBe(false);
      if (line.startsWith(' ')) continuations++;
    }
    expect(continuations).toBeGreaterThan(10);
    const { event } = parse(text);
    expect(event.summary).toBe(summary);
    expect(event.description).toBe(summary.repeat(3));
  });

  it('fills folded lines up to the limit (a 3-byte character at the edge moves to the next line)', () => {
    const folded = foldLine(`SUMMARY:${'a'.repeat(66)}€€`).split('\r\n');
    // 8 + 66 = 74 octets, the euro sign (3 octets) would make 77.
    expect(folded[0]).toBe(`SUMMARY:${'a'.repeat(66)}`);
    expect(folded[1]).toBe(' €€');
    expect(foldLine('x'.repeat(75))).toBe('x'.repeat(75));
    const long = foldLine('y'.repeat(75 + 74 + 1)).split('\r\n');
    expect(long.map((l) => l.length)).toEqual([75, 75, 2]);
  });
});
