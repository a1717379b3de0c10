// The clock that decides what is due. In real deployments it is the system clock. Tests and
// demos may set CLOCK_OFFSET_FILE: a file with a number of seconds (e.g. 86400) added to the
// system clock, re-read at most every 200 ms, so a running service can be moved forward
// to make a reminder come due without waiting a day.
import { readFileSync } from 'node:fs';

export type Clock = () => Date;

export const systemClock: Clock = () => new Date();

export function fileOffsetClock(file: string, onInvalid: (raw: string) => void): Clock {
  let offsetMs = 0;
  let readAt = 0;
  return () => {
    const now = Date.now();
    if (now - readAt >= 200) {
      readAt = now;
      let raw = '';
      try {
        raw = readFileSync(file, 'utf8').trim();
      } catch {
        raw = ''; // no file yet: no offset
      }
      const seconds = raw === '' ? 0 : Number(raw);
      if (Number.isFinite(seconds)) offsetMs = seconds * 1000;
      else onInvalid(raw.slice(0, 40));
    }
    return new Date(now + offsetMs);
  };
}
