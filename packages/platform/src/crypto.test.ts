import { randomBytes } from 'node:crypto';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFieldCipher, createFieldKeyRing, FieldCipherError, generateFieldKey, parseFieldKeyRing } from './crypto.ts';

const k1 = generateFieldKey();
const k2 = generateFieldKey();

function flipChar(s: string, index: number): string {
  const c = s[index];
  return s.slice(0, index) + (c === 'A' ? 'B' : 'A') + s.slice(index + 1);
}

function expectReason(fn: () => unknown, reason: string) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FieldCipherError);
    expect((err as FieldCipherError).reason).toBe(reason);
    return err as FieldCipherError;
  }
  throw new Error(`expected a FieldCipherError (${reason})`);
}

describe('field cipher', () => {
  const cipher = createFieldCipher(parseFieldKeyRing(`k1:${k1}`));

  it('round-trips text, including empty and non-ASCII strings', () => {
    for (const text of ['+39 333 1234567', '1980-02-29', '', 'Zoë D’Àngelo 🩺']) {
      expect(cipher.decrypt(cipher.encrypt(text))).toBe(text);
    }
  });

  it('writes a versioned envelope with the key id and a fresh IV every time', () => {
    const a = cipher.encrypt('same');
    const b = cipher.encrypt('same');
    expect(a).toMatch(/^v1:k1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]{22}:[A-Za-z0-9_-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('same');
    expect(cipher.keyIdOf(a)).toBe('k1');
    expect(cipher.isCurrent(a)).toBe(true);
  });

  it('detects tampering with ciphertext, tag, IV or key id', () => {
    const env = cipher.encrypt('+39 333 1234567');
    const [v, kid, iv, tag, ct] = env.split(':') as [string, string, string, string, string];
    expectReason(() => cipher.decrypt([v, kid, iv, tag, flipChar(ct, 0)].join(':')), 'tampered');
    expectReason(() => cipher.decrypt([v, kid, iv, flipChar(tag, 3), ct].join(':')), 'tampered');
    expectReason(() => cipher.decrypt([v, kid, flipChar(iv, 5), tag, ct].join(':')), 'tampered');
    expectReason(() => cipher.decrypt([v, kid, iv, tag, ct.slice(0, -2)].join(':')), 'tampered');
    // The same key material under another id still fails: the id is authenticated.
    const twin = createFieldCipher(createFieldKeyRing([{ id: 'k1', key: Buffer.from(k1, 'base64') }, { id: 'twin', key: Buffer.from(k1, 'base64') }]));
    expectReason(() => twin.decrypt(['v1', 'twin', iv, tag, ct].join(':')), 'tampered');
  });

  it('binds a value to its context (a value moved to another row or column does not open)', () => {
    const env = cipher.encrypt('1980-01-01', 'patients.birth_date:0001');
    expect(cipher.decrypt(env, 'patients.birth_date:0001')).toBe('1980-01-01');
    expectReason(() => cipher.decrypt(env, 'patients.birth_date:0002'), 'tampered');
    expectReason(() => cipher.decrypt(env), 'tampered');
  });

  it('fails on a key id the ring does not list, naming the id', () => {
    const other = createFieldCipher(parseFieldKeyRing(`k2:${k2}`));
    const err = expectReason(() => other.decrypt(cipher.encrypt('x')), 'unknown_key');
    expect(err.message).toContain('"k1"');
  });

  it('fails on a wrong key under a known id', () => {
    const impostor = createFieldCipher(parseFieldKeyRing(`k1:${k2}`));
    expectReason(() => impostor.decrypt(cipher.encrypt('x')), 'tampered');
  });

  it('rejects things that are not envelopes', () => {
    for (const bad of ['plain text', 'v2:k1:AAAA:AAAA:AAAA', 'v1:k1:AAAA:AAAA:AAAA', 'v1:k:1:a:b:c', 'v1:k1:!!!!!!!!!!!!!!!!:AAAAAAAAAAAAAAAAAAAAAA:AA', '']) {
      expectReason(() => cipher.decrypt(bad), 'malformed');
    }
    expectReason(() => cipher.keyIdOf('+39 333'), 'malformed');
  });

  it('rotates: new values use the first key, values under a listed older key still open', () => {
    const before = createFieldCipher(parseFieldKeyRing(`k1:${k1}`));
    const old = before.encrypt('+39 06 1234567', 'ctx');
    const after = createFieldCipher(parseFieldKeyRing(`k2:${k2}, k1:${k1}`));
    expect(after.currentKeyId).toBe('k2');
    expect(after.decrypt(old, 'ctx')).toBe('+39 06 1234567');
    expect(after.isCurrent(old)).toBe(false);
    const fresh = after.encrypt('+39 06 1234567', 'ctx');
    expect(after.keyIdOf(fresh)).toBe('k2');
    // Once k1 is dropped, only values re-encrypted under k2 open.
    const retired = createFieldCipher(parseFieldKeyRing(`k2:${k2}`));
    expect(retired.decrypt(fresh, 'ctx')).toBe('+39 06 1234567');
    expectReason(() => retired.decrypt(old, 'ctx'), 'unknown_key');
  });
});

describe('field key ring', () => {
  it('parses ids and base64 or base64url keys; the first is current', () => {
    const raw = randomBytes(32);
    const ring = parseFieldKeyRing(` a_1:${raw.toString('base64url')} ,b-2:${raw.toString('base64')}`);
    expect(ring.currentKeyId).toBe('a_1');
    expect(ring.keyIds).toEqual(['a_1', 'b-2']);
    expect(ring.keyFor('b-2')?.equals(raw)).toBe(true);
    expect(ring.keyFor('zz')).toBeUndefined();
  });

  it('rejects bad specs without echoing key material', () => {
    const short = randomBytes(16).toString('base64');
    const cases: Array<[string, RegExp]> = [
      ['', /no keys/],
      [` , `, /no keys/],
      [k1, /entry #1/],
      [`:${k1}`, /entry #1/],
      [`bad id:${k1}`, /id must be/],
      [`k1:${short}`, /32 bytes/],
      [`k1:${k1},k1:${k2}`, /listed twice/],
      [`k1:${k1.slice(0, 20)}*${k1.slice(21)}`, /not base64/],
      [`k1:${k1}x`, /base64/],
      [`k1:${k1.replace(/=+$/, '')}AA`, /not valid base64|32 bytes/],
    ];
    for (const [spec, message] of cases) {
      const err = expectReason(() => parseFieldKeyRing(spec), 'invalid_key_ring');
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(k1.slice(0, 12));
      expect(err.message).not.toContain(short.slice(0, 12));
    }
  });

  it('shows key ids only when logged or serialised', () => {
    const ring = parseFieldKeyRing(`k1:${k1},k2:${k2}`);
    const shown = JSON.stringify({ ring }) + inspect(ring) + String(Object.keys(ring));
    expect(shown).toContain('k1');
    expect(shown).not.toContain(k1.slice(0, 12));
    expect(shown).not.toContain(Buffer.from(k1, 'base64').toString('hex').slice(0, 12));
  });

  it('generates distinct 32-byte keys', () => {
    const a = generateFieldKey();
    expect(Buffer.from(a, 'base64')).toHaveLength(32);
    expect(a).not.toBe(generateFieldKey());
    expect(() => createFieldKeyRing([])).toThrow(FieldCipherError);
  });
});
