// When reminders go out. The offsets come from configuration ("7d,1d,2h,30m"), so a typo
// must stop the service at start-up with a message that says what is wrong, rather than
// silently sending no reminders or sending them at the wrong time.

const MINUTES_PER_UNIT = { d: 1_440, h: 60, m: 1 } as const;
const MAX_ITEMS = 10;
const MAX_OFFSET_MINUTES = 60 * 1_440;
const ITEM_RE = /^(\d+)\s*([dhm])$/;

/**
 * Reminder offsets in minutes before the start, without duplicates, largest first.
 * '' (or only whitespace) means no reminders.
 */
export function parseReminderOffsets(raw: string): number[] {
  if (raw.trim() === '') return [];
  const items = raw.split(',');
  if (items.length > MAX_ITEMS) {
    throw new Error(`reminder offsets: at most ${MAX_ITEMS} items, got ${items.length}`);
  }
  const minutes = items.map((item, index) => {
    const text = item.trim();
    if (text === '') throw new Error(`reminder offsets: item ${index + 1} is empty (write e.g. "1d,2h,30m")`);
    const m = ITEM_RE.exec(text);
    if (!m) {
      throw new Error(`reminder offsets: "${text}" is not a positive number followed by d, h or m (e.g. "1d", "2h", "30m")`);
    }
    const value = Number(m[1]) * MINUTES_PER_UNIT[m[2] as keyof typeof MINUTES_PER_UNIT];
    if (value === 0) throw new Error(`reminder offsets: "${text}" is zero`);
    if (value > MAX_OFFSET_MINUTES) throw new Error(`reminder offsets: "${text}" is more than 60 days`);
    return value;
  });
  return [...new Set(minutes)].sort((a, b) => b - a);
}

export interface ReminderDue {
  offsetMinutes: number;
  dueAt: Date;
}

/**
 * The reminders still to send for an appointment starting at `start`, earliest first. A
 * reminder whose moment has already passed (`dueAt <= now`, e.g. the one-day reminder of an
 * appointment booked three hours ahead) is dropped: sending it late would only duplicate
 * the confirmation that just went out.
 */
export function reminderDueTimes(start: Date, offsetsMinutes: number[], now: Date): ReminderDue[] {
  const startMs = start.getTime();
  const nowMs = now.getTime();
  return [...new Set(offsetsMinutes)]
    .map((offsetMinutes) => ({ offsetMinutes, dueAt: new Date(startMs - offsetMinutes * 60_000) }))
    .filter((r) => r.dueAt.getTime() > nowMs)
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}
