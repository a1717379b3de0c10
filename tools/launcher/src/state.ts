// `<dataDir>/launcher.json`: what must survive between runs (the PostgreSQL port) and what
// a run must leave behind if it is killed -9 (its pid and its children's, so the next run
// can clean up instead of failing on busy ports).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { commandLineOf, isAlive, terminatePid } from './process-util.ts';
import type { LauncherLog } from './logs.ts';

export interface RecordedProcess {
  pid: number;
  command: string;
}

export interface LauncherState {
  postgres?: { port: number };
  run?: RecordedProcess & { startedAt: string; children: Record<string, RecordedProcess> };
}

export class StateFile {
  constructor(readonly file: string) {}

  read(): LauncherState {
    if (!existsSync(this.file)) return {};
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LauncherState;
    } catch {
      return {}; // a torn write of an older run: start afresh
    }
  }

  update(change: (s: LauncherState) => void): void {
    const state = this.read();
    change(state);
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}

/** The process still runs the same command as when it was recorded (not a reused pid). */
function stillRunning(p: RecordedProcess): boolean {
  if (!isAlive(p.pid)) return false;
  const now = commandLineOf(p.pid);
  return now !== undefined && now === p.command;
}

/**
 * Refuses to share a data directory with a live launcher, and ends the children a
 * killed launcher left behind (they would hold the ports and the database).
 */
export async function reclaimDataDir(state: StateFile, log: LauncherLog): Promise<void> {
  const run = state.read().run;
  if (!run) return;
  if (run.pid !== process.pid && stillRunning(run)) {
    throw new Error(
      `another launcher (pid ${run.pid}) is running on this data directory (${state.file}); stop it first (Ctrl-C in its terminal, or kill ${run.pid})`,
    );
  }
  for (const [id, child] of Object.entries(run.children)) {
    if (!stillRunning(child)) continue;
    log('warn', `${id}: a process of a previous run is still running (pid ${child.pid}); stopping it`);
    await terminatePid(child.pid, 'SIGTERM', 10_000);
  }
  state.update((s) => delete s.run);
}
