// Field-level encryption at rest: AES-256-GCM under a ring of identified keys.
// New values are sealed with the ring's current key; older values still open as long as
// their key id stays listed, so keys rotate without a big-bang rewrite.
//
// Envelope (text, fits a `text` column): v1:<keyId>:<iv>:<tag>:<ciphertext>
//   iv 12 random bytes, tag 16 bytes, all base64url without padding.
// The version and key id are authenticated (part of the GCM additional data), and so is
// an optional caller context such as "table.column:rowId": a value copied into another
// row or column no longer opens.
//
// Framework-free; no business words. Key material never appears in messages, JSON or
// util.inspect output of the objects below.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const FIELD_ENVELOPE_VERSION = 'v1';
export const FIELD_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64 = /^(?:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+)$/;
const B64URL = /^[A-Za-z0-9_-]*$/;

export type FieldCipherErrorReason = 'invalid_key_ring' | 'malformed' | 'unknown_key' | 'tampered';

export class FieldCipherError extends Error {
  constructor(
    readonly reason: FieldCipherErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'FieldCipherError';
  }
}

export interface FieldKeyRing {
  /** Key id that seals new values (the first one listed). */
  readonly currentKeyId: string;
  /** Every key id that can open values, current first. */
  readonly keyIds: readonly string[];
  /** Raw key bytes for an id; undefined when the id is not in the ring. */
  keyFor(keyId: string): Buffer | undefined;
}

export interface FieldKeyInput {
  id: string;
  key: Uint8Array;
}

/** A ring from explicit keys; the first one is current. */
export function createFieldKeyRing(keys: readonly FieldKeyInput[]): FieldKeyRing {
  if (keys.length === 0) throw new FieldCipherError('invalid_key_ring', 'a key ring needs at least one key');
  const byId = new Map<string, Buffer>();
  for (const [i, k] of keys.entries()) {
    if (!KEY_ID.test(k.id)) throw new FieldCipherError('invalid_key_ring', `key #${i + 1}: id must be 1-32 characters of A-Z a-z 0-9 _ -`);
    if (byId.has(k.id)) throw new FieldCipherError('invalid_key_ring', `key id "${k.id}" is listed twice`);
    if (k.key.byteLength !== FIELD_KEY_BYTES) {
      throw new FieldCipherError('invalid_key_ring', `key "${k.id}" must be ${FIELD_KEY_BYTES} bytes (got ${k.key.byteLength})`);
    }
    byId.set(k.id, Buffer.from(k.key));
  }
  const keyIds = Object.freeze([...byId.keys()]);
  const ring: FieldKeyRing = {
    currentKeyId: keyIds[0] as string,
    keyIds,
    keyFor: (keyId) => byId.get(keyId),
  };
  // Logging or serialising the ring shows ids only.
  const describe = () => ({ currentKeyId: ring.currentKeyId, keyIds });
  Object.defineProperty(ring, 'toJSON', { value: describe, enumerable: false });
  Object.defineProperty(ring, Symbol.for('nodejs.util.inspect.custom'), { value: () => `FieldKeyRing ${JSON.stringify(describe())}`, enumerable: false });
  return Object.freeze(ring);
}

/**
 * Parses `id:<base64 of 32 bytes>[,id:<base64>...]` (whitespace around entries ignored),
 * the format of an environment variable; the first entry is current. Messages name the
 * entry and the problem, never the key material.
 */
export function parseFieldKeyRing(spec: string): FieldKeyRing {
  const entries = spec.split(',').map((s) => s.trim());
  if (entries.length === 0 || entries.every((e) => e === '')) throw new FieldCipherError('invalid_key_ring', 'no keys given');
  const keys: FieldKeyInput[] = entries.map((entry, i) => {
    const sep = entry.indexOf(':');
    if (sep <= 0) throw new FieldCipherError('invalid_key_ring', `entry #${i + 1} must look like <keyId>:<base64 key>`);
    const id = entry.slice(0, sep);
    const material = entry.slice(sep + 1);
    if (!KEY_ID.test(id)) throw new FieldCipherError('invalid_key_ring', `entry #${i + 1}: id must be 1-32 characters of A-Z a-z 0-9 _ -`);
    if (!BASE64.test(material)) throw new FieldCipherError('invalid_key_ring', `key "${id}" is not base64`);
    const encoding = /[-_]/.test(material) ? 'base64url' : 'base64';
    const key = Buffer.from(material, encoding);
    // Buffer.from skips what it cannot decode; a round trip catches truncated or stray characters.
    if (key.toString(encoding).replace(/=+$/, '') !== material.replace(/=+$/, '')) {
      throw new FieldCipherError('invalid_key_ring', `key "${id}" is not valid base64`);
    }
    return { id, key };
  });
  return createFieldKeyRing(keys);
}

/** Fresh key material as standard base64 (for a key ring entry). */
export function generateFieldKey(): string {
  return randomBytes(FIELD_KEY_BYTES).toString('base64');
}

export interface FieldCipher {
  readonly currentKeyId: string;
  /** Seals a value under the current key; `context` must be given again to open it. */
  encrypt(plaintext: string, context?: string): string;
  /** Opens a value; throws FieldCipherError (malformed, unknown_key, tampered). */
  decrypt(envelope: string, context?: string): string;
  /** The key id an envelope was sealed with (no decryption). */
  keyIdOf(envelope: string): string;
  /** True when the envelope is sealed with the current key (no re-encryption needed). */
  isCurrent(envelope: string): boolean;
}

interface ParsedEnvelope {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function additionalData(keyId: string, context: string): Buffer {
  // NUL cannot occur in a key id, so version+id and context cannot be confused.
  return Buffer.from(`${FIELD_ENVELOPE_VERSION}:${keyId}\u0000${context}`, 'utf8');
}

function parseEnvelope(envelope: string): ParsedEnvelope {
  const parts = envelope.split(':');
  if (parts.length !== 5) throw new FieldCipherError('malformed', 'not a field envelope');
  const [version, keyId, iv, tag, ciphertext] = parts as [string, string, string, string, string];
  if (version !== FIELD_ENVELOPE_VERSION) throw new FieldCipherError('malformed', 'unsupported field envelope version');
  if (!KEY_ID.test(keyId)) throw new FieldCipherError('malformed', 'field envelope has an invalid key id');
  if (!B64URL.test(iv) || !B64URL.test(tag) || !B64URL.test(ciphertext)) throw new FieldCipherError('malformed', 'field envelope is not base64url');
  const parsed = { keyId, iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), ciphertext: Buffer.from(ciphertext, 'base64url') };
  if (parsed.iv.length !== IV_BYTES || parsed.tag.length !== TAG_BYTES) throw new FieldCipherError('malformed', 'field envelope has a bad iv or tag length');
  return parsed;
}

export function createFieldCipher(ring: FieldKeyRing): FieldCipher {
  return {
    currentKeyId: ring.currentKeyId,
    encrypt(plaintext: string, context = ''): string {
      const keyId = ring.currentKeyId;
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', ring.keyFor(keyId) as Buffer, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(additionalData(keyId, context));
      const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [FIELD_ENVELOPE_VERSION, keyId, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
    },
    decrypt(envelope: string, context = ''): string {
      const { keyId, iv, tag, ciphertext } = parseEnvelope(envelope);
      const key = ring.keyFor(keyId);
      if (!key) throw new FieldCipherError('unknown_key', `field was encrypted with key id "${keyId}", which is not in the key ring`);
      const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(additionalData(keyId, context));
      decipher.setAuthTag(tag);
      try {
        return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new FieldCipherError('tampered', 'field failed authentication (altered, moved, or sealed under another key)');
      }
    },
    keyIdOf: (envelope) => parseEnvelope(envelope).keyId,
    isCurrent(envelope: string): boolean {
      return parseEnvelope(envelope).keyId === ring.currentKeyId;
    },
  };
}
