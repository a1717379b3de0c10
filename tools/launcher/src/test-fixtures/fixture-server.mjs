// A stand-in service for the launcher's tests: pino-like JSON logs, GET /readyz, GET /env,
// and misbehaviour on demand (FIXTURE_MODE).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';

const mode = process.env.FIXTURE_MODE ?? 'ok';
const port = Number(process.env.PORT);
const name = process.env.FIXTURE_NAME ?? 'fixture';
const log = (level, msg) => process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), service: name, pid: process.pid, msg })}\n`);

/** Misbehave only for the first FIXTURE_FAIL_TIMES starts (a counter file survives restarts). */
function shouldFail() {
  const file = process.env.FIXTURE_COUNTER_FILE;
  if (!file) return true;
  const n = existsSync(file) ? Number(readFileSync(file, 'utf8')) : 0;
  writeFileSync(file, String(n + 1));
  return n < Number(process.env.FIXTURE_FAIL_TIMES ?? '1');
}

if (mode === 'exit-at-start') {
  log(30, 'starting');
  process.stderr.write('Error: fixture cannot start: DATABASE_URL is required\n    at main (fixture-server.mjs:1:1)\n');
  process.exit(Number(process.env.FIXTURE_EXIT_CODE ?? '3'));
}

if (mode === 'dump-at-start') {
  const fields = Array.from({ length: 40 }, (_, i) => `    field${i}: ${i},`).join('\n');
  process.stderr.write(`DrizzleQueryError: Failed query: CREATE TABLE "x"\n    at migrate (db.ts:1:1)\n  cause: relation "x" already exists {\n${fields}\n  }\n}\n`);
  process.exit(1);
}

const readyAt = Date.now() + Number(process.env.FIXTURE_READY_DELAY_MS ?? '0');
const server = http.createServer((req, res) => {
  if (req.url === '/readyz') {
    const ready = mode !== 'never-ready' && Date.now() >= readyAt;
    res.writeHead(ready ? 200 : 503, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: ready ? 'ok' : 'starting' }));
    return;
  }
  if (req.url === '/env') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(process.env));
    return;
  }
  res.writeHead(404).end();
});

server.listen(port, process.env.HOST ?? '127.0.0.1', () => {
  log(30, `listening on ${port}`);
  if (process.env.FIXTURE_WARN) log(40, process.env.FIXTURE_WARN);
  if (mode === 'crash-after-ready' && shouldFail()) {
    setTimeout(() => {
      log(50, 'fixture is about to crash');
      process.exit(2);
    }, Number(process.env.FIXTURE_CRASH_AFTER_MS ?? '300'));
  }
});

const shutdown = (signal) => {
  if (mode === 'ignore-sigterm') {
    log(40, `ignoring ${signal}`);
    return;
  }
  log(30, `shutting down on ${signal}`);
  server.close(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
