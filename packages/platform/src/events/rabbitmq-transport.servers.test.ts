// Needs a real RabbitMQ (AMQP_URL, default amqp://guest:guest@127.0.0.1:5672): run by .ci/run
// with HM_SERVERS_TESTS=1, not by `npm test`, which must pass on a machine with nothing but Node.
import { connect, type GetMessage } from 'amqplib';
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createRabbitMqTransport, queueNames, type RabbitMqTransport } from './rabbitmq-transport.ts';
import { describeTransportContract, makeEvent, waitUntil } from './transport-contract.ts';
import { TransportUnavailableError, type CloudEvent } from './types.ts';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const make = () => createRabbitMqTransport({ url: AMQP_URL, reconnect: { initialMs: 50, maxMs: 1000 } });

async function deleteQueues(consumers: string[]): Promise<void> {
  const t = await make();
  try {
    for (const c of consumers) await t.deleteConsumerQueues(c);
  } finally {
    await t.close();
  }
}

describeTransportContract('rabbitmq', make, { cleanup: deleteQueues });

describe('rabbitmq transport', () => {
  const run = randomUUID().slice(0, 8);
  const consumers: string[] = [];
  const transports: RabbitMqTransport[] = [];
  const open = async () => {
    const t = await make();
    transports.push(t);
    return t;
  };
  const consumerName = (label: string) => {
    const c = `rabbit-${run}-${label}`;
    consumers.push(c);
    return c;
  };
  afterEach(async () => {
    for (const t of transports.splice(0)) await t.close();
  });
  afterAll(() => deleteQueues(consumers));

  it('publishes persistent messages routed by type, with the event id and the CloudEvents content type', async () => {
    const t = await open();
    const type = `rabbittest.r${run}.published.v1`;
    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      const { queue } = await ch.assertQueue('', { exclusive: true, autoDelete: true });
      await ch.bindQueue(queue, 'healthmatch.events', type);
      const event = makeEvent(type, { n: 1 });
      await t.publish(event);
      const got: GetMessage[] = [];
      await waitUntil('the message is in the queue', async () => {
        const msg = await ch.get(queue, { noAck: true });
        if (msg) got.push(msg);
        return got.length > 0;
      });
      const m = got[0]!;
      expect(m.fields.routingKey).toBe(type);
      expect(m.properties.messageId).toBe(event.id);
      expect(m.properties.contentType).toBe('application/cloudevents+json');
      expect(m.properties.deliveryMode).toBe(2);
      expect(JSON.parse(m.content.toString('utf8'))).toEqual(event);
    } finally {
      await conn.close();
    }
  });

  it('declares durable per-consumer queues: the main queue, retry queues and the DLQ', async () => {
    const t = await open();
    const consumer = consumerName('topology');
    const s = await t.subscribe({ consumer, types: [`rabbittest.r${run}.topology.v1`], handler: async () => {}, maxAttempts: 3 });
    await s.close();
    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      const names = queueNames(consumer);
      for (const q of [names.main, names.dlq, names.retry(1), names.retry(2)]) await ch.checkQueue(q);
    } finally {
      await conn.close().catch(() => {});
    }
  });

  it('reconnects after the connection drops: publishes reject meanwhile, then publish and consume work again', async () => {
    const t = await open();
    const type = `rabbittest.r${run}.reconnect.v1`;
    const seen: CloudEvent[] = [];
    await t.subscribe({ consumer: consumerName('reconnect'), types: [type], handler: async (e) => void seen.push(e) });
    const before = makeEvent(type, { n: 1 });
    await t.publish(before);
    await waitUntil('the first event arrives', () => seen.length >= 1);

    let availableAgain = 0;
    t.onAvailable(() => availableAgain++);
    t.simulateConnectionLoss();
    // Said as the transport's condition, so the outbox relay waits instead of charging the event.
    await expect(t.publish(makeEvent(type, { n: 'during outage' }))).rejects.toBeInstanceOf(TransportUnavailableError);
    await waitUntil('the transport is connected again', () => t.connected);
    await waitUntil('listeners are told it is back', () => availableAgain === 1);

    // The outbox relay's way: publish again until the broker confirms.
    const after = makeEvent(type, { n: 2 });
    await waitUntil('a publish is confirmed', () => t.publish(after).then(() => true, () => false));
    await waitUntil('the subscription, resumed, receives the new event', () => seen.some((e) => e.id === after.id));
    expect(seen.map((e) => e.id)).toContain(before.id);
  });

  it('delivers again, after reconnecting, an event whose handler was in flight when the connection dropped', async () => {
    const t = await open();
    const type = `rabbittest.r${run}.inflight.v1`;
    const attempts: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    await t.subscribe({
      consumer: consumerName('inflight'),
      types: [type],
      handler: async (_e, info) => {
        attempts.push(info.attempt);
        if (info.attempt === 1) await gate;
      },
    });
    await t.publish(makeEvent(type, { n: 1 }));
    await waitUntil('the handler is in flight', () => attempts.length >= 1);
    t.simulateConnectionLoss();
    await waitUntil('the transport is connected again', () => t.connected);
    release();
    await waitUntil('the event comes again on the resumed subscription', () => attempts.length >= 2);
    expect(attempts).toEqual([1, 2]);
  });

  it('keeps the attempt count and the last error on a dead-lettered message', async () => {
    const t = await open();
    const type = `rabbittest.r${run}.dead.v1`;
    const consumer = consumerName('dead');
    await t.subscribe({ consumer, types: [type], maxAttempts: 2, retryDelayMs: 20, handler: async () => {
      throw new Error('cannot handle this');
    } });
    const event = makeEvent(type, { n: 1 });
    await t.publish(event);
    await waitUntil('the event is dead-lettered', async () => (await t.deadLetters(consumer)).length > 0);
    const conn = await connect(AMQP_URL);
    try {
      const ch = await conn.createChannel();
      const msg = await ch.get(queueNames(consumer).dlq, { noAck: false });
      if (!msg) throw new Error('the DLQ is empty');
      expect(msg.properties.messageId).toBe(event.id);
      expect(msg.properties.headers).toMatchObject({ 'x-attempt': 2, 'x-last-error': 'cannot handle this' });
      ch.nack(msg, false, true);
    } finally {
      await conn.close();
    }
    expect(await t.deadLetters(consumer)).toEqual([event]);
  });

  it('rejects when the broker cannot be reached', async () => {
    await expect(createRabbitMqTransport({ url: 'amqp://guest:guest@127.0.0.1:1' })).rejects.toThrow();
  });
});

describe('createEventTransport with AMQP_URL', () => {
  it('chooses RabbitMQ', async () => {
    const { createEventTransport } = await import('./transport.ts');
    const { default: pino } = await import('pino');
    const transport = await createEventTransport({
      service: 'demo',
      amqpUrl: process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
      eventsDatabaseUrl: 'postgres://unused.invalid/x',
      log: pino({ level: 'silent' }),
    });
    try {
      expect(transport.name).toBe('rabbitmq');
    } finally {
      await transport.close();
    }
  });
});
