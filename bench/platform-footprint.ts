// Benchmark: time from start to ready and resident memory of the whole platform on the
// embedded default, against a baseline measured in the same run (one minimal kit service
// started the same way). Run: npx tsx bench/platform-footprint.ts
import { startPlatform } from '@healthmatch/launcher';
import { freePort } from '@healthmatch/platform/embedded-postgres';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Resident set size of a process and all its descendants, in MiB (Linux /proc). */
function treeRssMiB(rootPid: number): number {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const list = children.get(ppid) ?? [];
      list.push(Number(entry));
      children.set(ppid, list);
    } catch {
      /* process went away */
    }
  }
  let total = 0;
  const stack = [rootPid];
  while (stack.length) {
    const pid = stack.pop()!;
    try {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      total += m ? Number(m[1]) : 0;
    } catch {
      /* gone */
    }
    stack.push(...(children.get(pid) ?? []));
  }
  return total / 1024;
}

async function waitReady(url: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`${url} not ready in ${timeoutMs} ms`);
}

async function baseline(): Promise<{ startupMs: number; rssMiB: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'hello-service.ts')], {
    env: { ...process.env, PORT: String(port) },
    stdio: 'ignore',
  });
  try {
    await waitReady(`http://127.0.0.1:${port}/readyz`, 30_000);
    const startupMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, 500));
    return { startupMs, rssMiB: treeRssMiB(child.pid!) };
  } finally {
    child.kill('SIGTERM');
  }
}

async function platformRun(): Promise<{ startupMs: number; rssMiB: number; services: Record<string, number> }> {
  await mkdir(path.join(here, '..', '.data'), { recursive: true });
  // Under the project's .data/: PostgreSQL runs as its own user and must reach the folder.
  const dataDir = await mkdtemp(path.join(here, '..', '.data', 'bench-'));
  await chmod(dataDir, 0o755);
  const t0 = performance.now();
  const platform = await startPlatform({ dataDir, ports: 'auto', postgresPort: 'auto', log: () => {} });
  const startupMs = performance.now() - t0;
  try {
    await new Promise((r) => setTimeout(r, 1000));
    const services: Record<string, number> = {};
    for (const [id, proc] of platform.processes) if (proc.pid) services[id] = treeRssMiB(proc.pid);
    if (platform.postgres?.pid) services.postgres = treeRssMiB(platform.postgres.pid);
    services.launcher = treeRssMiB(process.pid) - Object.values(services).reduce((a, b) => a + b, 0);
    const rssMiB = treeRssMiB(process.pid);
    return { startupMs, rssMiB, services };
  } finally {
    await platform.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const base = await baseline();
const run = await platformRun();
const fmt = (n: number) => n.toFixed(0);
console.log(`baseline (one minimal kit service): ready in ${fmt(base.startupMs)} ms, ${fmt(base.rssMiB)} MiB`);
console.log(`platform (embedded PostgreSQL + every service): ready in ${fmt(run.startupMs)} ms, ${fmt(run.rssMiB)} MiB in all`);
for (const [name, mib] of Object.entries(run.services)) console.log(`  ${name.padEnd(14)} ${fmt(mib)} MiB`);
console.log(`ratios: start-up ${(run.startupMs / base.startupMs).toFixed(1)}x baseline, memory ${(run.rssMiB / base.rssMiB).toFixed(1)}x baseline`);
