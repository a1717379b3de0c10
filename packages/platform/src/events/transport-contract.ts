// The behaviour every EventTransport must show (ARCHITECTURE.md, Events: "the same contract
// tests run against both"). A transport's test file calls
//   describeTransportContract('rabbitmq', () => createRabbitMqTransport({ url }), { cleanup })
// Each run uses fresh consumer names and event types (random suffix), so runs against a shared
// broker or database do not interfere. Nothing assumes an order of delivery (sets, not
// sequences) and nothing measures time: waits poll up to a generous deadline.
//
// What the suite takes as the semantics of close():
// - Subscription.close() stops new deliveries and waits for the handlers in flight.
// - EventTransport.close() does not wait for handlers in flight: they can no longer
//   acknowledge, so their events are delivered again later (the crash test relies on it; a
//   transport that cannot give that up passes `crash` instead).
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { CloudEvent, DeliveryInfo, EventTransport, SubscribeOptions, Subscription } from './types.ts';

export interface TransportContractOptions {
  /** Longest wait for an expected delivery; default 20 000 ms. */
  waitMs?: number;
  /** How long to watch for deliveries that must not happen; default 500 ms. */
  quietMs?: number;
  /** Called once after the suite with every consumer name the suite used (drop their queues or rows). */
  cleanup?: (consumers: string[]) => Promise<void>;
  /**
   * Makes `transport` behave as if its process died while a handler was in flight; default
   * `transport.close()`. The event must then be delivered again to a new transport.
   */
  crash?: (transport: EventTransport) => Promise<void>;
}

export interface Delivery {
  event: CloudEvent;
  info: DeliveryInfo;
}

export function describeTransportContract(name: string, makeTransport: () => Promise<EventTransport>, opts: TransportContractOptions = {}): void {
  const waitMs = opts.waitMs ?? 20_000;
  const quietMs = opts.quietMs ?? 500;
  const run = randomUUID().slice(0, 8);
  const consumers: string[] = [];
  const transports: EventTransport[] = [];
  const subscriptions: Subscription[] = [];

  const consumerName = (label: string) => {
    const c = `contract-${run}-${label}`;
    consumers.push(c);
    return c;
  };
  const eventType = (label: string) => `contracttest.r${run}${label.replace(/[^a-z0-9]/gi, '')}.happened.v1`;

  async function open(): Promise<EventTransport> {
    const t = await makeTransport();
    transports.push(t);
    return t;
  }

  async function subscribe(t: EventTransport, o: SubscribeOptions): Promise<Subscription> {
    const s = await t.subscribe(o);
    subscriptions.push(s);
    return s;
  }

  /** A handler that records what it receives and then does `then` (resolve by default). */
  function recorder(then?: (d: Delivery) => Promise<void>) {
    const seen: Delivery[] = [];
    const handler = async (event: CloudEvent, info: DeliveryInfo) => {
      seen.push({ event, info });
      if (then) await then({ event, info });
    };
    return { seen, handler, ids: () => seen.map((d) => d.event.id), of: (id: string) => seen.filter((d) => d.event.id === id) };
  }

  const until = (what: string, check: () => boolean | Promise<boolean>) => waitUntil(what, check, waitMs);

  describe(`event transport contract: ${name}`, () => {
    afterEach(async () => {
      for (const s of subscriptions.splice(0)) await s.close().catch(() => {});
      for (const t of transports.splice(0)) await t.close().catch(() => {});
    });
    afterAll(async () => {
      if (opts.cleanup) await opts.cleanup([...new Set(consumers)]);
    });

    it('delivers a published event to a subscriber with its envelope intact', async () => {
      const t = await open();
      const type = eventType('basic');
      const r = recorder();
      await subscribe(t, { consumer: consumerName('basic'), types: [type], handler: r.handler });
      const event = makeEvent(type, { appointmentId: randomUUID(), nested: { n: 1, list: ['a', 'b'] }, nothing: null });
      await t.publish(event);
      await until('the event arrives', () => r.seen.length >= 1);
      expect(r.seen[0]?.event).toEqual(event);
      expect(r.seen[0]?.info.attempt).toBe(1);
    });

    it('fans an event out to every consumer of its type, once each, and to no one else', async () => {
      const t = await open();
      const type = eventType('fanout');
      const a = recorder();
      const b = recorder();
      const other = recorder();
      await subscribe(t, { consumer: consumerName('fan-a'), types: [type], handler: a.handler });
      await subscribe(t, { consumer: consumerName('fan-b'), types: [type, eventType('unrelated')], handler: b.handler });
      await subscribe(t, { consumer: consumerName('fan-other'), types: [eventType('other')], handler: other.handler });
      const event = makeEvent(type, { n: 1 });
      await t.publish(event);
      await until('both consumers have the event', () => a.seen.length >= 1 && b.seen.length >= 1);
      await sleep(quietMs);
      expect(a.ids()).toEqual([event.id]);
      expect(b.ids()).toEqual([event.id]);
      expect(other.seen).toEqual([]);
    });

    it('delivers again (attempt 2) an event whose handler threw once, then acknowledges it', async () => {
      const t = await open();
      const type = eventType('retry');
      const consumer = consumerName('retry');
      let failures = 0;
      const r = recorder(async () => {
        if (failures++ === 0) throw new Error('transient failure');
      });
      await subscribe(t, { consumer, types: [type], handler: r.handler, maxAttempts: 3, retryDelayMs: 50 });
      const event = makeEvent(type, { n: 1 });
      await t.publish(event);
      await until('the event comes a second time', () => r.seen.length >= 2);
      await sleep(quietMs);
      expect(r.seen.map((d) => d.info.attempt)).toEqual([1, 2]);
      expect(r.seen.map((d) => d.event)).toEqual([event, event]);
      expect(await t.deadLetters(consumer)).toEqual([]);
    });

    it('moves an event that always fails to the dead-letter queue after maxAttempts, and the queue moves on', async () => {
      const t = await open();
      const type = eventType('poison');
      const consumer = consumerName('poison');
      const poison = makeEvent(type, { poison: true });
      const good = Array.from({ length: 5 }, (_, i) => makeEvent(type, { i }));
      const r = recorder(async ({ event }) => {
        if (event.id === poison.id) throw new Error('poison message');
      });
      // concurrency 1: a poison message that blocked its queue would hold back every later event.
      await subscribe(t, { consumer, types: [type], handler: r.handler, maxAttempts: 3, retryDelayMs: 50, concurrency: 1 });
      await t.publish(poison);
      for (const e of good) await t.publish(e);
      await until('the later events are handled', () => good.every((e) => r.of(e.id).length >= 1));
      await until('the poison event is dead-lettered', async () => (await t.deadLetters(consumer)).some((e) => e.id === poison.id));
      expect(new Set(r.of(poison.id).map((d) => d.info.attempt))).toEqual(new Set([1, 2, 3]));
      const dead = await t.deadLetters(consumer);
      expect(dead).toEqual([poison]);
      // Reading the dead letters does not consume them.
      expect(await t.deadLetters(consumer)).toEqual([poison]);
      await sleep(quietMs);
      expect(r.of(poison.id)).toHaveLength(3);
      expect(await t.deadLetters(consumerName('never-subscribed'))).toEqual([]);
    });

    it('delivers again an event whose handler was in flight when its process crashed', async () => {
      const type = eventType('crash');
      const consumer = consumerName('crash');
      const t1 = await open();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      // The effect happens (recorded), then the process dies before the acknowledgement.
      const first = recorder(() => gate);
      await subscribe(t1, { consumer, types: [type], handler: first.handler, retryDelayMs: 50 });
      const event = makeEvent(type, { n: 1 });
      await t1.publish(event);
      await until('the first handler is in flight', () => first.seen.length >= 1);
      await (opts.crash ? opts.crash(t1) : t1.close());
      release();

      const t2 = await open();
      const second = recorder();
      await subscribe(t2, { consumer, types: [type], handler: second.handler, retryDelayMs: 50 });
      await until('the event comes again', () => second.seen.length >= 1);
      expect(second.seen[0]?.event).toEqual(event);
      expect(second.seen[0]?.info.attempt).toBeGreaterThanOrEqual(2);
    });

    it('delivers every one of 200 events published at once, in whatever order', async () => {
      const t = await open();
      const type = eventType('bulk');
      const received = new Map<string, number>();
      await subscribe(t, {
        consumer: consumerName('bulk'),
        types: [type],
        concurrency: 8,
        handler: async (event) => {
          received.set(event.id, (received.get(event.id) ?? 0) + 1);
        },
      });
      const events = Array.from({ length: 200 }, (_, i) => makeEvent(type, { i }));
      await Promise.all(events.map((e) => t.publish(e)));
      await until('all 200 events arrive', () => received.size >= events.length);
      expect(new Set(received.keys())).toEqual(new Set(events.map((e) => e.id)));
    });

    it('delivers the types a consumer subscribed to, each to its handler', async () => {
      const t = await open();
      const booked = eventType('multi-booked');
      const cancelled = eventType('multi-cancelled');
      const r = recorder();
      await subscribe(t, { consumer: consumerName('multi'), types: [booked, cancelled], handler: r.handler });
      const events = [makeEvent(booked, { n: 1 }), makeEvent(cancelled, { n: 2 }), makeEvent(eventType('multi-ignored'), { n: 3 })];
      for (const e of events) await t.publish(e);
      await until('both subscribed types arrive', () => r.seen.length >= 2);
      await sleep(quietMs);
      expect(new Set(r.ids())).toEqual(new Set([events[0]?.id, events[1]?.id]));
    });

    it('stops delivering after Subscription.close(), and keeps the events for the next subscriber', async () => {
      const t = await open();
      const type = eventType('resume');
      const consumer = consumerName('resume');
      const first = recorder();
      const s = await subscribe(t, { consumer, types: [type], handler: first.handler });
      await s.close();
      const event = makeEvent(type, { n: 1 });
      await t.publish(event);
      await sleep(quietMs);
      expect(first.seen).toEqual([]);
      const second = recorder();
      await subscribe(t, { consumer, types: [type], handler: second.handler });
      await until('the queued event arrives', () => second.seen.length >= 1);
      expect(second.ids()).toEqual([event.id]);
    });
  });
}

export function makeEvent<T>(type: string, data: T, source = '/healthmatch/contract-test'): CloudEvent<T> {
  return { specversion: '1.0', id: randomUUID(), source, type, time: new Date().toISOString(), datacontenttype: 'application/json', subject: randomUUID(), data };
}

export async function waitUntil(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await sleep(25);
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
