import { describe, expect, it } from 'vitest';
import { ConfigError } from './config.ts';
import { generateFieldKey } from './crypto.ts';
import { assertRingOpensStoredFields, keyRingFromEnv, resolveFieldKeyRing, type LocalFieldKeyStore } from './field-keys.ts';

const k1 = generateFieldKey();

function memoryStore(): LocalFieldKeyStore & { calls: number } {
  let stored: string | undefined;
  const store = {
    calls: 0,
    async loadOrCreate(generate: () => string) {
      store.calls++;
      const created = stored === undefined;
      stored ??= generate();
      return { id: 'local', keyMaterial: stored, created };
    },
  };
  return store;
}

function recorder() {
  const warnings: Array<{ obj: object; msg: string }> = [];
  return { warnings, warn: (obj: object, msg: string) => void warnings.push({ obj, msg }) };
}

const base = { service: 'svc', protects: 'secret things', keyIdsInUse: async () => [] as string[] };

describe('keyRingFromEnv', () => {
  it('is undefined when unset and a ring when valid', () => {
    expect(keyRingFromEnv('svc', 'X_KEYS', undefined)).toBeUndefined();
    expect(keyRingFromEnv('svc', 'X_KEYS', `k2:${generateFieldKey()},k1:${k1}`)?.keyIds).toEqual(['k2', 'k1']);
  });

  it('turns a malformed ring into a ConfigError naming the variable, never the material', () => {
    const short = Buffer.alloc(16, 9).toString('base64');
    for (const spec of [`k1:${short}`, `k1:${k1},k1:${k1}`, k1, '']) {
      try {
        keyRingFromEnv('svc', 'X_KEYS', spec);
        expect.unreachable(spec);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).message).toMatch(/^svc: invalid configuration:\n {2}- X_KEYS is invalid: /);
        expect((err as Error).message).not.toContain(k1.slice(0, 10));
        expect((err as Error).message).not.toContain(short.slice(0, 10));
      }
    }
  });
});

describe('resolveFieldKeyRing', () => {
  it('uses the variable when set: no local key, no warning', async () => {
    const localKeys = memoryStore();
    const log = recorder();
    const ring = await resolveFieldKeyRing({ ...base, keys: `k1:${k1}`, localKeys, log });
    expect(ring.currentKeyId).toBe('k1');
    expect(localKeys.calls).toBe(0);
    expect(log.warnings).toEqual([]);
  });

  it('falls back to the local key with a warning on every start, and keeps the same key', async () => {
    const localKeys = memoryStore();
    const log = recorder();
    const first = await resolveFieldKeyRing({ ...base, keys: undefined, localKeys, log });
    const second = await resolveFieldKeyRing({ ...base, keys: undefined, localKeys, log });
    expect(first.keyIds).toEqual(['local']);
    expect(second.keyFor('local')).toEqual(first.keyFor('local'));
    expect(log.warnings.map((w) => w.obj)).toEqual([{ keyId: 'local', generated: true }, { keyId: 'local', generated: false }]);
    expect(log.warnings[0]?.msg).toMatch(/FIELD_ENCRYPTION_KEYS is not set: secret things .* svc database .*Production must set FIELD_ENCRYPTION_KEYS/);
    expect(JSON.stringify(log.warnings)).not.toContain(first.keyFor('local')!.toString('base64').slice(0, 10));
  });

  it('names another variable when told to', async () => {
    await expect(resolveFieldKeyRing({ ...base, variable: 'OTHER_KEYS', keys: 'nonsense', localKeys: memoryStore(), log: recorder() })).rejects.toThrow(/OTHER_KEYS is invalid/);
  });

  it('refuses a ring that does not list a key id in use, naming it (and where the local key lives)', async () => {
    const localKeys = memoryStore();
    const keyIdsInUse = async () => ['k0', 'k1', 'local'];
    const err = await resolveFieldKeyRing({ ...base, keys: `k1:${k1}`, keyIdsInUse, localKeys, log: recorder() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/FIELD_ENCRYPTION_KEYS does not list key id\(s\) "k0", "local", which stored secret things are encrypted with/);
    expect((err as Error).message).toMatch(/"local" is the generated local key: its material is in the table local_field_keys/);
    expect((err as Error).message).not.toContain('"k1"');
  });

  it('checks the local ring too', async () => {
    await expect(resolveFieldKeyRing({ ...base, keys: undefined, keyIdsInUse: async () => ['k1'], localKeys: memoryStore(), log: recorder() })).rejects.toThrow(/"k1"/);
  });
});

describe('assertRingOpensStoredFields', () => {
  it('passes when every id in use is listed (or nothing is stored)', () => {
    const ring = keyRingFromEnv('svc', 'X', `k2:${generateFieldKey()},k1:${k1}`)!;
    expect(() => assertRingOpensStoredFields(ring, [], { service: 'svc', protects: 'x' })).not.toThrow();
    expect(() => assertRingOpensStoredFields(ring, ['k1', 'k2'], { service: 'svc', protects: 'x' })).not.toThrow();
  });
});
