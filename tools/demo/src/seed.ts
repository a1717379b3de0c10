// `npm run demo:seed`: demo provider accounts with offerings and weekday hours, made from
// the accredited private facilities of Regione Lazio, through the services' public HTTP
// APIs. See tools/demo/README.md.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NewPassword } from '@healthmatch/contracts';
import { compileSchemaCheck } from '@healthmatch/platform';
import { endpointsFromEnv, HealthMatchApi } from './api.ts';
import { FACILITIES_FILE, FacilityFileError, isRome, readFacilityFile, SKIP_REASON_TEXT, type FacilityFile } from './facilities.ts';
import { HttpClient } from './http.ts';
import { planFacility, type FacilityPlan } from './plan.ts';
import { resolveTemplates, runPool, seedFacility, type FacilityOutcome, type Resolution } from './seeder.ts';

export const DEFAULT_DEMO_PASSWORD = 'healthmatch-demo-2014';
const passwordPolicy = compileSchemaCheck(NewPassword);
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

const HELP = `Usage: npm run demo:seed -- [options]
       npx tsx tools/demo/src/seed.ts [options]

Creates demo provider accounts (with offerings and weekday hours) from the accredited
private facilities of Regione Lazio, through the services' HTTP APIs. Idempotent: a second
run creates nothing. Start the platform first (npm start).

Options:
  --limit N          only the first N usable facilities (file order)
  --only-rome        only facilities in the comune of Roma
  --concurrency N    facilities seeded at once (default 8)
  --via-gateway      send every call through the gateway (GATEWAY_URL) instead of the
                     services; slow: the gateway rate-limits registration and login per address
  --dry-run          read and plan only: no HTTP calls
  --verbose          one line per facility
  -h, --help         this text

Environment:
  HEALTHMATCH_DATA_DIR   folder of the public data files (default <repo>/../shared/data;
                         a relative path is taken from the repository root)
  AUTH_URL, USERS_URL, CATALOG_URL, BOOKING_URL   services (default http://127.0.0.1:8081..8084)
  GATEWAY_URL            gateway, with --via-gateway (default http://127.0.0.1:8080)
  DEMO_PASSWORD          password of every demo account (default ${DEFAULT_DEMO_PASSWORD})

Exit status: 0 done, 1 some facilities failed, 2 not started (platform not reachable,
data file missing, catalogue empty, bad option).`;

export interface SeedOptions {
  limit?: number;
  onlyRome: boolean;
  concurrency: number;
  viaGateway: boolean;
  dryRun: boolean;
  verbose: boolean;
}

class UsageError extends Error {}

function positiveInt(name: string, raw: string | undefined, fallback?: number): number | undefined {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${name} must be a positive integer, got "${raw}"`);
  return n;
}

export function parseOptions(argv: string[]): SeedOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        limit: { type: 'string' },
        'only-rome': { type: 'boolean', default: false },
        concurrency: { type: 'string' },
        'via-gateway': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (values.help) return 'help';
  return {
    limit: positiveInt('limit', values.limit),
    onlyRome: values['only-rome'] ?? false,
    concurrency: positiveInt('concurrency', values.concurrency, 8) ?? 8,
    viaGateway: values['via-gateway'] ?? false,
    dryRun: values['dry-run'] ?? false,
    verbose: values.verbose ?? false,
  };
}

export function dataDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.HEALTHMATCH_DATA_DIR;
  if (!configured) return path.resolve(REPO_ROOT, '../shared/data');
  return path.resolve(REPO_ROOT, configured);
}

/** The facilities a run works on, after the flags. */
export function selectPlans(file: FacilityFile, opts: Pick<SeedOptions, 'limit' | 'onlyRome'>): FacilityPlan[] {
  const chosen = file.facilities.filter((f) => !opts.onlyRome || isRome(f));
  return (opts.limit === undefined ? chosen : chosen.slice(0, opts.limit)).map(planFacility);
}

const fmtSeconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

class Progress {
  private last = 0;
  private readonly tty = Boolean(process.stderr.isTTY);
  constructor(
    private readonly total: number,
    private readonly started: number,
  ) {}

  private finished = false;

  update(done: number, errors: number, created: number, force = false): void {
    const now = Date.now();
    const everyLine = this.tty ? 200 : 5000;
    if (this.finished || (!force && now - this.last < everyLine && done !== this.total)) return;
    this.last = now;
    this.finished = done === this.total;
    const elapsed = (now - this.started) / 1000;
    const rate = elapsed > 0 ? done / elapsed : 0;
    const eta = rate > 0 ? (this.total - done) / rate : 0;
    const line = `  ${String(done).padStart(String(this.total).length)}/${this.total} facilities | ${created} new accounts | ${errors} errors | ${rate.toFixed(1)}/s | ${elapsed.toFixed(0)} s elapsed${done < this.total ? `, ~${eta.toFixed(0)} s left` : ''}`;
    if (this.tty) process.stderr.write(`\r\x1b[K${line}${done === this.total ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  }

  end(): void {
    if (this.tty) process.stderr.write('\n');
  }
}

export interface RunSummary {
  outcomes: FacilityOutcome[];
  notAttempted: number;
  aborted: boolean;
  retries: number;
  elapsedMs: number;
}

function printFileReport(file: FacilityFile, plans: FacilityPlan[], opts: SeedOptions): void {
  const inactive = Object.entries(file.inactive)
    .map(([k, v]) => `${v} ${k}`)
    .join(', ');
  console.log(`Facilities: ${file.read} read, ${file.active} active (DECRETO DI ACCREDITAMENTO)${inactive ? `; not active: ${inactive}` : ''}`);
  const byReason = new Map<string, string[]>();
  for (const s of file.skipped) byReason.set(s.reason, [...(byReason.get(s.reason) ?? []), s.n]);
  for (const [reason, ns] of byReason) {
    console.log(`  skipped, ${SKIP_REASON_TEXT[reason as keyof typeof SKIP_REASON_TEXT]}: ${ns.length} (N=${ns.join(', N=')})`);
  }
  const filters = [opts.onlyRome ? 'only Roma' : '', opts.limit !== undefined ? `limit ${opts.limit}` : ''].filter(Boolean).join(', ');
  console.log(`  usable: ${file.facilities.length}; this run: ${plans.length}${filters ? ` (${filters})` : ''}`);
}

function printPlanReport(plans: FacilityPlan[]): void {
  const kinds = new Map<string, number>();
  let offerings = 0;
  let none = 0;
  for (const p of plans) {
    const label = p.guess.kinds.length > 0 ? p.guess.kinds.join('+') : `no bookable offerings (${p.guess.other.join('+')})`;
    kinds.set(label, (kinds.get(label) ?? 0) + 1);
    offerings += p.offerings.length;
    if (p.offerings.length === 0) none++;
  }
  const defaults = plans.filter((p) => p.guess.source === 'default').length;
  console.log(`Plan: ${offerings} offerings for ${plans.length - none} facilities; ${none} get none (residential care, dialysis, thermal: not bookable slots); ${defaults} had no kind in their names (2 common visits)`);
  for (const [k, v] of [...kinds].sort((a, b) => b[1] - a[1])) console.log(`  ${String(v).padStart(4)}  ${k}`);
}

function printResolution(r: Resolution): void {
  const words = r.byWords.map((t) => `${t.code} ("${t.query}")`);
  const missing = r.missing.map((t) => `${t.code} ("${t.query}")`);
  console.log(`Catalogue: ${r.byCode.size} services found${words.length ? `, ${words.length} only by words: ${words.join(', ')}` : ''}${missing.length ? `; not found (left out): ${missing.join(', ')}` : ''}`);
}

function printSummary(s: RunSummary, password: string, searchBase: string): void {
  const o = s.outcomes;
  const count = (f: (x: FacilityOutcome) => boolean) => o.filter(f).length;
  const sum = (f: (x: FacilityOutcome) => number) => o.reduce((n, x) => n + f(x), 0);
  const errors = o.filter((x) => x.error);
  console.log('');
  console.log('Summary');
  console.log(`  accounts:     ${count((x) => x.account === 'created')} created, ${count((x) => x.account === 'existing')} existing (${count((x) => x.profile === 'updated')} profiles updated)`);
  console.log(
    `  offerings:    ${sum((x) => x.offerings.created)} created, ${sum((x) => x.offerings.existing)} existing, ${sum((x) => x.offerings.updated)} price/duration updated${sum((x) => x.offerings.refreshed) ? `, ${sum((x) => x.offerings.refreshed)} refreshed` : ''}${sum((x) => x.offerings.unresolved) ? `, ${sum((x) => x.offerings.unresolved)} left out (service not in catalogue)` : ''}`,
  );
  console.log(`  hours:        ${count((x) => x.availability === 'set')} set, ${count((x) => x.availability === 'unchanged')} unchanged, ${count((x) => x.availability === 'none')} none (no offerings)`);
  console.log(`  errors:       ${errors.length}${s.notAttempted ? `; ${s.notAttempted} facilities not attempted (run aborted)` : ''}${s.retries ? `; ${s.retries} HTTP retries` : ''}`);
  for (const e of errors.slice(0, 20)) console.log(`    N=${e.key} ${e.name}: ${e.error}`);
  if (errors.length > 20) console.log(`    ... and ${errors.length - 20} more (--verbose lists them all)`);
  console.log(`  elapsed:      ${fmtSeconds(s.elapsedMs)}${o.length > 0 ? ` (${(s.elapsedMs / o.length).toFixed(0)} ms per facility)` : ''}`);
  console.log('');
  console.log(`Demo logins: demo-facility-<N>@demo.healthmatch.invalid, password "${password}"${password === DEFAULT_DEMO_PASSWORD ? ' (default; DEMO_PASSWORD to change)' : ' (DEMO_PASSWORD)'}`);
  console.log(`Try: curl '${searchBase}/api/v1/catalog/search?lat=41.9&lon=12.5&radiusKm=10'`);
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const startedAt = Date.now();
  let opts: SeedOptions | 'help';
  try {
    opts = parseOptions(argv);
  } catch (err) {
    console.error(`demo:seed: ${(err as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (opts === 'help') {
    console.log(HELP);
    return 0;
  }

  const dir = dataDir();
  let file: FacilityFile;
  try {
    file = await readFacilityFile(path.join(dir, FACILITIES_FILE));
  } catch (err) {
    if (err instanceof FacilityFileError) {
      console.error(`demo:seed: ${err.message}`);
      return 2;
    }
    throw err;
  }
  const plans = selectPlans(file, opts);
  printFileReport(file, plans, opts);
  printPlanReport(plans);
  if (opts.dryRun) {
    for (const p of plans.slice(0, opts.verbose ? plans.length : 5)) {
      console.log(`  N=${p.key} ${p.profile.displayName} (${p.profile.city}) -> ${p.offerings.map((o) => `${o.template.code}${o.modality === 'telehealth' ? ' tele' : ''} ${(o.amount / 100).toFixed(2)}€`).join(', ') || 'none'}`);
    }
    console.log(`Dry run: nothing sent. Elapsed ${fmtSeconds(Date.now() - startedAt)}.`);
    return 0;
  }

  const password = process.env.DEMO_PASSWORD ?? DEFAULT_DEMO_PASSWORD;
  if (!passwordPolicy.check(password)) {
    console.error(`demo:seed: DEMO_PASSWORD must be a ${NewPassword.description} (the platform password policy)`);
    return 2;
  }

  let retries = 0;
  const http = new HttpClient({ onRetry: () => retries++ });
  const api = new HealthMatchApi(http, endpointsFromEnv(process.env, opts.viaGateway));
  try {
    const ready = await api.readiness();
    const down = ready.filter((r) => !r.ok);
    if (down.length > 0) {
      console.error('');
      console.error('demo:seed: the HealthMatch services are not reachable:');
      for (const r of down) console.error(`  ${r.name.padEnd(8)} ${r.url}: ${r.detail}`);
      console.error('');
      console.error('Start the platform first, in another terminal: `npm start` (from the repository root),');
      console.error('wait until it prints the URLs, then run `npm run demo:seed` again.');
      return 2;
    }
    if (opts.viaGateway) console.log('Through the gateway: registration and login are rate-limited per address, expect waits.');

    const resolution = await resolveTemplates(api);
    printResolution(resolution);
    if (resolution.byCode.size === 0) {
      console.error('demo:seed: the catalogue has no services: the catalog service could not import the national catalogue (check its log and HEALTHMATCH_DATA_DIR, or run `npm run catalog:import`).');
      return 2;
    }

    console.log(`Seeding ${plans.length} facilities, ${opts.concurrency} at a time ...`);
    const outcomes: FacilityOutcome[] = [];
    const progress = new Progress(plans.length, Date.now());
    let consecutiveNetworkFailures = 0;
    let aborted = false;
    const abortAfter = Math.max(10, opts.concurrency * 3);
    const seedStart = Date.now();
    const attempted = await runPool(
      plans,
      opts.concurrency,
      async (plan) => {
        const outcome = await seedFacility({ api, password, resolution }, plan);
        outcomes.push(outcome);
        consecutiveNetworkFailures = outcome.networkFailure ? consecutiveNetworkFailures + 1 : 0;
        if (consecutiveNetworkFailures >= abortAfter && !aborted) {
          aborted = true;
          progress.end();
          console.error(`demo:seed: ${consecutiveNetworkFailures} facilities in a row failed because the platform did not answer; stopping (is it still running?)`);
        }
        if (opts.verbose) {
          const o = outcome.offerings;
          console.log(
            `  N=${outcome.key} ${outcome.name}: account ${outcome.account}, profile ${outcome.profile}, offerings +${o.created} =${o.existing}${o.updated ? ` ~${o.updated}` : ''}, hours ${outcome.availability}${outcome.error ? `, ERROR ${outcome.error}` : ''}`,
          );
        }
        if (!opts.verbose) progress.update(outcomes.length, outcomes.filter((x) => x.error).length, outcomes.filter((x) => x.account === 'created').length);
      },
      () => aborted,
    );
    if (!opts.verbose) progress.update(outcomes.length, outcomes.filter((x) => x.error).length, outcomes.filter((x) => x.account === 'created').length, true);
    outcomes.sort((a, b) => Number(a.key) - Number(b.key) || a.key.localeCompare(b.key));
    const searchBase = api.endpoints.gateway ?? (process.env.GATEWAY_URL ?? 'http://localhost:8080').replace(/\/+$/, '');
    printSummary({ outcomes, notAttempted: plans.length - attempted, aborted, retries, elapsedMs: Date.now() - seedStart }, password, searchBase);
    console.log(`Total time ${fmtSeconds(Date.now() - startedAt)}.`);
    return outcomes.some((x) => x.error) || aborted ? 1 : 0;
  } finally {
    await http.close();
  }
}

// Run when executed directly (not when imported by the tests).
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error('demo:seed failed:', err);
      process.exitCode = 2;
    },
  );
}
