// Benchmark: end-to-end delay from a booking through the gateway to the patient's
// confirmation accepted by an SMTP server, on both event transports (PostgreSQL, then
// RabbitMQ), against a baseline measured in the same run: the booking request itself
// (gateway -> booking -> catalog -> PostgreSQL, until the 201).
//   npx tsx bench/notification-latency.ts [bookings]        (default 20 per transport)
// Needs PostgreSQL (BENCH_PG_ADMIN_URL, default postgres://postgres@127.0.0.1:5432/postgres)
// and RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672) for the second half.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { startSmtpReceiver, type ReceivedMail } from '@healthmatch/platform/testing';
import { agent, client, expectStatus, freeSlots, providerWithOffering, registerPatient, startE2EPlatform } from '../tests/e2e/platform.ts';

const N = Number(process.argv[2] ?? 20);
process.env.HM_TEST_PG_ADMIN_URL ??= process.env.BENCH_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const amqpBase = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';

const uidOf = (m: ReceivedMail) => /^UID:(\S+)/m.exec(m.parsed.attachments.find((a) => a.contentType === 'text/calendar')?.content.toString('utf8') ?? '')?.[1];
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function run(name: string, extraEnv: Record<string, string>): Promise<void> {
  const smtp = await startSmtpReceiver();
  const e2e = await startE2EPlatform({ extraEnv: { ...extraEnv, SMTP_URL: smtp.url, LOG_LEVEL: 'warn' } });
  try {
    const api = client(e2e.gateway);
    const { offering } = await providerWithOffering(api, `Studio Bench ${name}`);
    const patient = await registerPatient(api, 'Bianca', 'Bench');
    const slots = await freeSlots(api, offering.id);
    if (slots.length < N + 1) throw new Error(`only ${slots.length} free slots`);
    // One warm-up booking: connections, JIT, first consumer fetch.
    const warm = expectStatus(await api.post('/api/v1/booking/appointments', { token: patient.accessToken, json: { offeringId: offering.id, start: slots[0]!.start } }), 201).body;
    await smtp.waitFor(1, (m) => uidOf(m) === `${warm.id}@healthmatch`, 60_000);

    const request: number[] = [];
    const toMail: number[] = [];
    for (let i = 1; i <= N; i++) {
      const t0 = Date.now();
      const a = expectStatus(await api.post('/api/v1/booking/appointments', { token: patient.accessToken, json: { offeringId: offering.id, start: slots[i]!.start } }), 201).body;
      request.push(Date.now() - t0);
      const [m] = await smtp.waitFor(1, (x) => uidOf(x) === `${a.id}@healthmatch`, 60_000);
      toMail.push(m!.receivedAt - t0);
    }
    const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
    console.log(
      `${name.padEnd(9)} booking 201: p50 ${pct(request, 50)} ms, p95 ${pct(request, 95)} ms | booking -> confirmation in SMTP: p50 ${pct(toMail, 50)} ms, ` +
        `p95 ${pct(toMail, 95)} ms, max ${Math.max(...toMail)} ms | ratio (mean) ${(mean(toMail) / mean(request)).toFixed(1)}x`,
    );
  } finally {
    await e2e.stop();
    await smtp.close();
  }
}

console.log(`booking -> confirmation e-mail, ${N} sequential bookings per transport (each waits for its mail)`);
await run('postgres', {});
const vhost = `hm-bench-${randomUUID().slice(0, 8)}`;
try {
  execFileSync('rabbitmqctl', ['add_vhost', vhost], { stdio: 'pipe' });
  execFileSync('rabbitmqctl', ['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*'], { stdio: 'pipe' });
  await run('rabbitmq', { AMQP_URL: `${amqpBase}/${vhost}` });
} catch (err) {
  console.log(`rabbitmq  skipped or failed: ${(err as Error).message.split('\n')[0]}`);
} finally {
  try {
    execFileSync('rabbitmqctl', ['delete_vhost', vhost], { stdio: 'pipe' });
  } catch {
    // no vhost was made
  }
  await agent.close();
}
