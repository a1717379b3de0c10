// Needs a real Redis (REDIS_URL, default redis://127.0.0.1:6379): run by .ci/run, not by
// `npm test`, which must pass on a machine with nothing but Node.
import type { App } from '@healthmatch/platform';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from './app.ts';
import { gatewayConfig, startStack, type Stack } from './testing/fake-services.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

describe('rate limits shared through Redis', () => {
  let stack: Stack;
  let a: App;
  let b: App;
  let redis: Redis;
  // A fresh address per run: counters of earlier runs in the same Redis do not interfere.
  const address = `198.18.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

  beforeAll(async () => {
    stack = await startStack();
    const env = { ...stack.env, REDIS_URL, AUTH_RATE_LIMIT_MAX: '4', AUTH_RATE_LIMIT_WINDOW_SECONDS: '60' };
    a = await buildApp(gatewayConfig(env), { logger: false });
    b = await buildApp(gatewayConfig(env), { logger: false });
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    await stack.close();
    redis.disconnect();
  });

  const login = (app: App) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: address, payload: { email: `${randomUUID()}@example.org`, password: 'x' } });

  it('two gateway replicas share one login counter per address', async () => {
    expect((await login(a)).statusCode).toBe(200);
    expect((await login(b)).statusCode).toBe(200);
    expect((await login(a)).statusCode).toBe(200);
    expect((await login(b)).statusCode).toBe(200);
    const limitedOnA = await login(a);
    expect(limitedOnA.statusCode).toBe(429);
    expect(limitedOnA.json().code).toBe('RATE_LIMITED');
    expect((await login(b)).statusCode).toBe(429);
    const keys = await redis.keys(`hm:gateway:rate:*${address}`);
    expect(keys.length).toBeGreaterThan(0);
  });

  it('lets requests through when Redis cannot be reached', async () => {
    const env = { ...stack.env, REDIS_URL: 'redis://127.0.0.1:1', AUTH_RATE_LIMIT_MAX: '1' };
    const offline = await buildApp(gatewayConfig(env), { logger: false });
    try {
      for (let i = 0; i < 3; i++) expect((await login(offline)).statusCode).toBe(200);
    } finally {
      await offline.close();
    }
  });
});
