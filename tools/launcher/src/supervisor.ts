// One supervised child process: spawn, log to a JSON-lines file, wait for GET /readyz 200,
// report a crash loudly and restart it with backoff, give up after too many crashes, and
// stop it with SIGTERM then SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { closeStream, formatRecord, LineSplitter, openLogFile, renderTail, Tail, toRecord, type Level, type LauncherLog } from './logs.ts';

export interface RestartPolicy {
  /** Give up at this many crashes within `windowMs`. */
  maxCrashes: number;
  windowMs: number;
  /** First delay before a restart; doubles with each crash in the window. */
  backoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { maxCrashes: 5, windowMs: 60_000, backoffMs: 1_000, maxBackoffMs: 15_000 };

export interface ProcessConfig {
  /** Unique name of this process: the service name, or e.g. `booking#2` for an extra one. */
  id: string;
  service: string;
  argv: readonly string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  port: number;
  /** Base URL others use, e.g. http://127.0.0.1:8084 */
  url: string;
  probeUrl: string;
  logFile: string;
  readyTimeoutMs: number;
  stopTimeoutMs: number;
  /** false: a crash is reported and the process stays down (extra test processes). */
  restart: RestartPolicy | false;
  /** Child log records at or above this pino level are echoed to the launcher log. */
  consoleLevel: number;
}

export interface ProcessHooks {
  log: LauncherLog;
  onSpawn?: (proc: ManagedProcess, pid: number) => void;
  onExit?: (proc: ManagedProcess, pid: number) => void;
  /** The process crashed too often (or could not be brought back): the platform must stop. */
  onGiveUp: (proc: ManagedProcess, error: Error) => void;
}

export type ProcessStatus = 'idle' | 'starting' | 'ready' | 'restarting' | 'stopping' | 'stopped' | 'failed';

/** What tests and the status table see of a process. */
export interface ServiceProcess {
  readonly id: string;
  readonly service: string;
  readonly port: number;
  readonly url: string;
  readonly pid: number | undefined;
  readonly status: ProcessStatus;
  /** Milliseconds from spawn to the first 200 from /readyz (of the current process). */
  readonly readyMs: number | undefined;
  /** Restarts after crashes so far. */
  readonly restarts: number;
  readonly logFile: string;
  stop(): Promise<void>;
  /** Sends a signal (default SIGKILL) as a crash would; the supervisor then restarts it per policy. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
  error?: Error;
}

interface Run {
  child: ChildProcess;
  pid: number | undefined;
  startedAt: number;
  readyAt?: number;
  /** The launcher asked for this exit (stop, restart). */
  expected: boolean;
  /** Why the launcher killed it, when it did so because of a failure. */
  failure?: string;
  exit?: ExitInfo;
  exited: Promise<ExitInfo>;
}

export class StartupError extends Error {
  constructor(
    message: string,
    readonly processId: string,
  ) {
    super(message);
    this.name = 'StartupError';
  }
}

class Aborted extends Error {
  constructor() {
    super('aborted');
  }
}

export function describeExit(info: ExitInfo): string {
  if (info.error) return `could not be started (${info.error.message})`;
  if (info.signal) return `killed by ${info.signal}`;
  return `exit code ${info.code}`;
}

/** Hint lines node prints after a warning: kept in the file, not worth a console line. */
const NOISE = /^\(Use `node --trace-(warnings|deprecation) \.\.\.` to show where the warning was created\)$/;

const BURST_LINES = 8;
const BURST_GAP_MS = 300;

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

export class ManagedProcess implements ServiceProcess {
  status: ProcessStatus = 'idle';
  restarts = 0;
  readyMs: number | undefined;
  private run: Run | undefined;
  private generation = 0;
  private crashTimes: number[] = [];
  private readonly tail = new Tail();
  /** Console echo of plain-text bursts (stack traces) is capped; the file keeps everything. */
  private burst = { last: 0, count: 0, suppressed: 0, timer: undefined as NodeJS.Timeout | undefined };
  private readonly logStream: WriteStream;
  private backoff: AbortController | undefined;
  private stopping: Promise<void> | undefined;

  constructor(
    readonly config: ProcessConfig,
    private readonly hooks: ProcessHooks,
  ) {
    this.logStream = openLogFile(config.logFile);
  }

  get id() {
    return this.config.id;
  }
  get service() {
    return this.config.service;
  }
  get port() {
    return this.config.port;
  }
  get url() {
    return this.config.url;
  }
  get logFile() {
    return this.config.logFile;
  }
  get pid() {
    return this.run && !this.run.exit ? this.run.pid : undefined;
  }

  /** Spawns the process and resolves once it is ready; rejects with a StartupError that says why not. */
  async start(): Promise<void> {
    if (this.status !== 'idle') throw new Error(`${this.id} was already started`);
    this.status = 'starting';
    const gen = this.generation;
    const run = this.spawnRun();
    try {
      await this.waitReady(run, gen);
    } catch (err) {
      if (this.stopping) throw new StartupError(`${this.id} was stopped before it became ready`, this.id);
      this.status = 'failed';
      await this.killRun(run);
      throw new StartupError(this.startupFailureMessage(run, err), this.id);
    }
    this.status = 'ready';
    void this.supervise(run, gen);
  }

  /** Stops gracefully (SIGTERM, then SIGKILL after the stop timeout); idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const run = this.run;
    if (!run || run.exit) return;
    run.child.kill(signal);
    await run.exited;
  }

  /** A deliberate restart (not counted as a crash): stop the current process, start a new one, wait until ready. */
  async restart(): Promise<void> {
    if (this.stopping) throw new Error(`${this.id} is stopping`);
    const gen = ++this.generation;
    this.backoff?.abort();
    const old = this.run;
    if (old && !old.exit) {
      old.expected = true;
      await this.terminate(old);
    }
    this.status = 'starting';
    const run = this.spawnRun();
    try {
      await this.waitReady(run, gen);
    } catch (err) {
      if (this.stopping || err instanceof Aborted) throw new StartupError(`${this.id}: restart interrupted`, this.id);
      this.status = 'failed';
      await this.killRun(run);
      const error = new StartupError(this.startupFailureMessage(run, err), this.id);
      this.hooks.onGiveUp(this, error);
      throw error;
    }
    this.status = 'ready';
    void this.supervise(run, gen);
  }

  /** Closes the log file; call after stop(). */
  async close(): Promise<void> {
    await closeStream(this.logStream);
  }

  // --- internals ---

  private spawnRun(): Run {
    const [cmd, ...args] = this.config.argv;
    if (!cmd) throw new Error(`${this.id}: empty command`);
    this.tail.clear();
    const child = spawn(cmd, args, { cwd: this.config.cwd, env: this.config.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const run: Run = {
      child,
      pid: child.pid,
      startedAt: Date.now(),
      expected: false,
      exited: undefined as unknown as Promise<ExitInfo>,
    };
    this.run = run;
    const outSplit = new LineSplitter((line) => this.onLine(line, 'stdout', run));
    const errSplit = new LineSplitter((line) => this.onLine(line, 'stderr', run));
    child.stdout?.on('data', (c: Buffer) => outSplit.push(c));
    child.stderr?.on('data', (c: Buffer) => errSplit.push(c));
    const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
    run.exited = new Promise<ExitInfo>((resolve) => {
      child.once('exit', (code, signal) => {
        // Wait briefly for the last output (pipes close after exit) so crash reports have it.
        void Promise.race([closed, sleep(500, undefined, { ref: false })]).then(() => {
          outSplit.end();
          errSplit.end();
          resolve({ code, signal });
        });
      });
      child.on('error', (error) => {
        if (child.pid === undefined) resolve({ code: null, signal: null, error });
      });
    }).then((info) => {
      this.flushBurst();
      run.exit = info;
      this.note('info', `exited (${describeExit(info)})`, run.pid);
      if (run.pid !== undefined) this.hooks.onExit?.(this, run.pid);
      return info;
    });
    if (child.pid !== undefined) {
      this.note('info', `spawned: ${this.config.argv.join(' ')}`, child.pid);
      this.hooks.onSpawn?.(this, child.pid);
    }
    return run;
  }

  private onLine(line: string, stream: 'stdout' | 'stderr', run: Run): void {
    const rec = toRecord(line, stream, this.config.service, run.pid);
    this.logStream.write(`${rec.json}\n`);
    this.tail.push(formatRecord(rec, 500), rec.plain);
    if (rec.level < this.config.consoleLevel || NOISE.test(rec.msg)) return;
    if (rec.plain) {
      const now = Date.now();
      if (now - this.burst.last > BURST_GAP_MS) this.flushBurst();
      this.burst.last = now;
      this.burst.count += 1;
      if (this.burst.count > BURST_LINES) {
        this.burst.suppressed += 1;
        this.burst.timer ??= setTimeout(() => this.flushBurst(), BURST_GAP_MS).unref();
        return;
      }
    }
    const level: Level = rec.level >= 50 ? 'error' : 'warn';
    this.hooks.log(level, `${this.id} | ${formatRecord(rec)}`);
  }

  private flushBurst(): void {
    clearTimeout(this.burst.timer);
    if (this.burst.suppressed > 0) {
      this.hooks.log('warn', `${this.id} | … ${this.burst.suppressed} more lines in ${this.config.logFile}`);
    }
    this.burst = { last: 0, count: 0, suppressed: 0, timer: undefined };
  }

  /** A launcher event, written into the service's own log file too. */
  private note(level: Level, msg: string, pid: number | undefined): void {
    const lv = level === 'error' ? 50 : level === 'warn' ? 40 : 30;
    this.logStream.write(`${JSON.stringify({ level: lv, time: new Date().toISOString(), service: this.config.service, pid, launcher: true, msg })}\n`);
  }

  private async waitReady(run: Run, gen: number): Promise<void> {
    const deadline = run.startedAt + this.config.readyTimeoutMs;
    let last = 'no answer yet';
    for (;;) {
      if (run.exit) throw new Error(`exited (${describeExit(run.exit)}) before GET ${this.config.probeUrl} answered 200`);
      if (this.stopping || gen !== this.generation) throw new Aborted();
      if (Date.now() >= deadline) {
        run.failure = `no 200 from GET ${this.config.probeUrl} within ${seconds(this.config.readyTimeoutMs)} (last: ${last})`;
        throw new Error(run.failure);
      }
      const answer = await probe(this.config.probeUrl, 2_000);
      if (answer === 200) {
        if (run.exit) continue; // it answered, but died right after: report the exit
        run.readyAt = Date.now();
        this.readyMs = run.readyAt - run.startedAt;
        this.note('info', `ready in ${seconds(this.readyMs)}`, run.pid);
        return;
      }
      last = typeof answer === 'number' ? `HTTP ${answer}` : answer;
      await Promise.race([sleep(150), run.exited]);
    }
  }

  private startupFailureMessage(run: Run, err: unknown): string {
    const reason = err instanceof Error ? err.message : String(err);
    return [
      `${this.id} did not become ready: ${reason}`,
      `  command: ${this.config.argv.join(' ')}  (cwd ${this.config.cwd})`,
      renderTail(this.tail.summary(20), this.config.logFile),
    ].join('\n');
  }

  /** Watches a ready process; on an unexpected exit: report, back off, restart, or give up. */
  private async supervise(first: Run, gen: number): Promise<void> {
    let run = first;
    for (;;) {
      const info = await run.exited;
      if (this.stopping || run.expected || gen !== this.generation) return;
      const now = Date.now();
      const policy = this.config.restart;
      this.crashTimes = this.crashTimes.filter((t) => now - t < (policy ? policy.windowMs : 0));
      this.crashTimes.push(now);
      const how = run.failure
        ? run.failure
        : run.readyAt
          ? `${describeExit(info)} after ${seconds(now - run.startedAt)} up`
          : `${describeExit(info)} before it became ready`;
      const report = [`✖ ${this.id} crashed (pid ${run.pid ?? '?'}): ${how}`, renderTail(this.tail.summary(15), this.config.logFile)];
      if (!policy) {
        this.status = 'failed';
        this.hooks.log('error', [...report, '  not restarted (no restart policy for this process)'].join('\n'));
        return;
      }
      if (this.crashTimes.length >= policy.maxCrashes) {
        this.status = 'failed';
        const msg = `${this.id} crashed ${this.crashTimes.length} times within ${seconds(policy.windowMs)}; giving up`;
        this.hooks.log('error', [...report, `  ${msg}`].join('\n'));
        this.hooks.onGiveUp(this, new Error(msg));
        return;
      }
      const delay = Math.min(policy.backoffMs * 2 ** (this.crashTimes.length - 1), policy.maxBackoffMs);
      this.hooks.log(
        'error',
        [...report, `  restarting in ${seconds(delay)} (crash ${this.crashTimes.length}; giving up at ${policy.maxCrashes} within ${seconds(policy.windowMs)})`].join('\n'),
      );
      this.status = 'restarting';
      this.backoff = new AbortController();
      try {
        await sleep(delay, undefined, { signal: this.backoff.signal });
      } catch {
        return; // stop() or restart() took over
      }
      if (this.stopping || gen !== this.generation) return;
      run = this.spawnRun();
      try {
        await this.waitReady(run, gen);
      } catch (err) {
        if (err instanceof Aborted) return;
        if (!run.exit) await this.killRun(run); // readiness timeout: the loop counts it as a crash
        continue;
      }
      this.restarts += 1;
      this.status = 'ready';
      this.hooks.log('info', `✔ ${this.id} is back (pid ${run.pid}, ready in ${seconds(this.readyMs ?? 0)}, restart ${this.restarts})`);
    }
  }

  private async doStop(): Promise<void> {
    this.generation += 1;
    this.backoff?.abort();
    const run = this.run;
    if (run && !run.exit) {
      this.status = 'stopping';
      run.expected = true;
      await this.terminate(run);
    }
    this.status = 'stopped';
  }

  /** SIGTERM, then SIGKILL when it does not exit within the stop timeout. */
  private async terminate(run: Run): Promise<void> {
    if (run.exit) return;
    run.child.kill('SIGTERM');
    const cancel = new AbortController();
    const timer = sleep(this.config.stopTimeoutMs, 'timeout' as const, { signal: cancel.signal }).catch(() => 'cancelled' as const);
    const outcome = await Promise.race([run.exited, timer]);
    cancel.abort();
    if (outcome === 'timeout') {
      this.hooks.log('warn', `${this.id} did not stop within ${seconds(this.config.stopTimeoutMs)} of SIGTERM; sending SIGKILL`);
      run.child.kill('SIGKILL');
      await run.exited;
    }
  }

  private async killRun(run: Run): Promise<void> {
    if (run.exit) return;
    run.child.kill('SIGKILL');
    await run.exited;
  }
}

/** GET url: the status code, or a short reason why there was no answer. */
export function probe(url: string, timeoutMs: number): Promise<number | string> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(`no answer within ${timeoutMs} ms`);
    });
    req.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'connection refused' : err.code ?? err.message));
  });
}
