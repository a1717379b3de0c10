// Log plumbing: every child line goes to its own JSON-lines file; only warnings and
// errors reach the console, one short line each, so the console stays readable.
import { createWriteStream, existsSync, renameSync, statSync, type WriteStream } from 'node:fs';

export type Level = 'debug' | 'info' | 'warn' | 'error';

/** The launcher's own messages (progress, crashes); tests pass a collector. */
export type LauncherLog = (level: Level, message: string) => void;

const LEVEL_NUMBERS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export function levelNumber(level: string | number | undefined): number {
  if (typeof level === 'number') return level;
  if (typeof level === 'string') return LEVEL_NUMBERS[level.toLowerCase()] ?? 30;
  return 30;
}

export function levelName(n: number): string {
  if (n >= 60) return 'FATAL';
  if (n >= 50) return 'ERROR';
  if (n >= 40) return 'WARN';
  if (n >= 30) return 'INFO';
  if (n >= 20) return 'DEBUG';
  return 'TRACE';
}

/** Splits a byte stream into lines (the last partial line is flushed by end()). */
export class LineSplitter {
  private rest = '';
  constructor(private readonly onLine: (line: string) => void) {}
  push(chunk: Buffer | string): void {
    const text = this.rest + chunk.toString();
    const parts = text.split(/\r?\n/);
    this.rest = parts.pop() ?? '';
    for (const p of parts) if (p.length > 0) this.onLine(p);
    // A runaway line without newline must not grow forever.
    if (this.rest.length > 1_000_000) {
      this.onLine(this.rest);
      this.rest = '';
    }
  }
  end(): void {
    if (this.rest.length > 0) this.onLine(this.rest);
    this.rest = '';
  }
}

export interface LogRecord {
  level: number;
  msg: string;
  /** The line as written to the file (JSON). */
  json: string;
  record: Record<string, unknown>;
  /** Plain text (not a JSON line): a stack trace, a node warning, console.log output. */
  plain: boolean;
}

/**
 * A pino JSON line is kept as it is; any other text (a stack trace printed by node, a
 * config error) is wrapped into a JSON line so the file stays JSON lines.
 */
export function toRecord(line: string, stream: 'stdout' | 'stderr', service: string, pid: number | undefined): LogRecord {
  if (line.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const record = parsed as Record<string, unknown>;
        return { level: levelNumber(record.level as string | number | undefined), msg: messageOf(record), json: line, record, plain: false };
      }
    } catch {
      /* not JSON after all */
    }
  }
  const record = { level: stream === 'stderr' ? 40 : 30, time: new Date().toISOString(), service, pid, stream, msg: line };
  return { level: record.level, msg: line, json: JSON.stringify(record), record, plain: true };
}

function messageOf(record: Record<string, unknown>): string {
  const msg = typeof record.msg === 'string' ? record.msg : '';
  const err = record.err as { message?: unknown; type?: unknown } | undefined;
  if (err && typeof err === 'object' && typeof err.message === 'string' && !msg.includes(err.message)) {
    return msg ? `${msg}: ${err.message}` : err.message;
  }
  return msg || JSON.stringify(record);
}

/** One short console line for a record. */
export function formatRecord(rec: LogRecord, maxLength = 300): string {
  // Plain text (a stack trace, a node warning) is shown as it was printed.
  const text = rec.plain ? rec.msg : `${levelName(rec.level).padEnd(5)} ${rec.msg}`;
  return text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
}

interface TailLine {
  text: string;
  plain: boolean;
}

/** The last lines of output, for crash reports and readiness errors. */
export class Tail {
  private lines: TailLine[] = [];
  constructor(private readonly size = 200) {}
  push(text: string, plain = false): void {
    this.lines.push({ text, plain });
    if (this.lines.length > this.size) this.lines.shift();
  }
  clear(): void {
    this.lines = [];
  }
  last(n: number): string[] {
    return this.lines.slice(-n).map((l) => l.text);
  }
  /**
   * About n lines that explain the end: when the output ends with a long block of plain
   * text (node printing an uncaught error), its head (the error and where) matters more
   * than its last lines (the error object's fields).
   */
  summary(n: number): string[] {
    let start = this.lines.length;
    while (start > 0 && this.lines[start - 1]?.plain) start -= 1;
    const block = this.lines.length - start;
    if (block <= n) return this.last(n);
    const head = this.lines.slice(start, start + n - 4).map((l) => l.text);
    const end = this.lines.slice(-3).map((l) => l.text);
    return [...head, `… ${block - head.length - end.length} more lines …`, ...end];
  }
}

/** Renders tail lines indented under a heading, or says there was no output. */
export function renderTail(lines: string[], file: string): string {
  if (lines.length === 0) return `  (no output; see ${file})`;
  return [`  last log lines (${file}):`, ...lines.map((l) => `    | ${l}`)].join('\n');
}

const MAX_LOG_BYTES = 20 * 1024 * 1024;

/** Opens a log file for appending; a file grown past 20 MB is moved to `<file>.1` first. */
export function openLogFile(file: string): WriteStream {
  if (existsSync(file) && statSync(file).size > MAX_LOG_BYTES) renameSync(file, `${file}.1`);
  const stream = createWriteStream(file, { flags: 'a' });
  stream.on('error', () => {
    /* a full disk must not take the launcher down; the console still works */
  });
  return stream;
}

export function closeStream(stream: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    if (stream.closed || stream.destroyed) return resolve();
    stream.end(() => resolve());
  });
}
