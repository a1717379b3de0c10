// Shared bits of the launcher's tests: the fixture service, a log collector, temp dirs.
import { mkdirSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Level, LauncherLog } from '../logs.ts';
import type { ServiceSpec } from '../services.ts';

export const FIXTURE = fileURLToPath(new URL('./fixture-server.mjs', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

export function fixtureSpec(name: string, env: Record<string, string> = {}, extra: Partial<ServiceSpec> = {}): ServiceSpec {
  return {
    name,
    defaultPort: 0,
    database: false,
    dependsOn: [],
    command: [process.execPath, FIXTURE],
    env: { FIXTURE_NAME: name, ...env },
    ...extra,
  };
}

export class LogCollector {
  readonly lines: { level: Level; message: string }[] = [];
  readonly log: LauncherLog = (level, message) => {
    this.lines.push({ level, message });
    if (process.env.LAUNCHER_TEST_VERBOSE) console.log(`[${level}] ${message}`);
  };
  text(): string {
    return this.lines.map((l) => `[${l.level}] ${l.message}`).join('\n');
  }
  index(pattern: RegExp): number {
    return this.lines.findIndex((l) => pattern.test(l.message));
  }
}

/** A scratch directory under <repo>/.data (the postgres user of an embedded cluster must be able to reach it). */
export function scratchDir(label: string): { dir: string; remove(): void } {
  const dir = path.join(REPO_ROOT, '.data', 'test-launcher', `${label}-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(dir, { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function getJson(url: string): Promise<Record<string, string>> {
  const res = await fetch(url);
  return (await res.json()) as Record<string, string>;
}
