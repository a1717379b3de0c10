// Small helpers about operating-system processes known only by pid (leftovers of a
// previous run, the PostgreSQL postmaster).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** True while the process exists and is not a zombie (this machine's init may not reap orphans). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return true; // no /proc (macOS): kill(0) said it exists
  }
}

/** The command line of a running process, arguments joined by spaces; undefined when unknown. */
export function commandLineOf(pid: number): string | undefined {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter(Boolean).join(' ');
  } catch {
    /* no /proc: ask ps */
  }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Polls until the process is gone; false on timeout. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** Sends `signal`, waits, and escalates to SIGKILL; true when the process is gone. */
export async function terminatePid(pid: number, signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
  const send = (s: NodeJS.Signals) => {
    try {
      process.kill(pid, s);
    } catch {
      /* already gone */
    }
  };
  send(signal);
  if (await waitForPidExit(pid, timeoutMs)) return true;
  send('SIGKILL');
  return waitForPidExit(pid, 5_000);
}

/** Whether any live (non-zombie) process is in the process group. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return true; // no /proc: kill(0) said the group exists
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields: state ppid pgrp ...
      if (Number(fields[2]) === pgid && fields[0] !== 'Z' && fields[0] !== 'X') return true;
    } catch {
      /* exited meanwhile */
    }
  }
  return false;
}

/**
 * Ends what is left of a process group: SIGTERM (PostgreSQL's smart shutdown waits for the
 * services to disconnect), then SIGINT, then SIGKILL. True when the group is gone.
 */
export async function endGroup(pgid: number, waits: readonly [number, number, number] = [15_000, 10_000, 5_000]): Promise<boolean> {
  const steps: [NodeJS.Signals, number][] = [
    ['SIGTERM', waits[0]],
    ['SIGINT', waits[1]],
    ['SIGKILL', waits[2]],
  ];
  for (const [signal, wait] of steps) {
    if (!groupAlive(pgid)) return true;
    try {
      process.kill(-pgid, signal);
    } catch {
      return true;
    }
    const deadline = Date.now() + wait;
    while (groupAlive(pgid) && Date.now() < deadline) await sleep(100);
  }
  return !groupAlive(pgid);
}
