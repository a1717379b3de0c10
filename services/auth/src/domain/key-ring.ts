// The access-token signing keys: one active Ed25519 key signs, the active key and the
// recently retired ones are published (JWKS) so tokens signed before a rotation keep
// verifying until they expire. Keys live in the database, so restarts and replicas share
// them; this class caches them briefly and reloads, so a rotation made by one replica
// reaches the others within `cacheSeconds`.
import type { Jwks, PublicJwk } from '@healthmatch/contracts';
import type { FieldCipher } from '@healthmatch/platform';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, type JWK, type JWTVerifyGetKey } from 'jose';

export const SIGNING_ALG = 'EdDSA';

export interface NewSigningKey {
  kid: string;
  alg: string;
  publicJwk: PublicJwk;
  /** Private JWK as JSON, or its AES-256-GCM envelope (the kit's field cipher) when encryptionKeyId is set. */
  privateKey: string;
  encryptionKeyId: string | null;
}

export interface StoredSigningKey extends NewSigningKey {
  active: boolean;
}

export interface SigningKeyStore {
  /** Makes `create()` the active key unless a key is active already; safe across replicas. */
  ensureActive(create: () => Promise<NewSigningKey>): Promise<void>;
  /** Retires the active key (published for `retiredVerifySeconds` more) and activates `create()`. */
  rotate(create: () => Promise<NewSigningKey>, retiredVerifySeconds: number): Promise<void>;
  /** The active key and the retired keys whose tokens may still be unexpired. */
  published(): Promise<StoredSigningKey[]>;
}

export interface KeyRingOptions {
  store: SigningKeyStore;
  /** Seals private keys at rest when set (SIGNING_KEY_ENCRYPTION_KEYS). */
  encryption?: FieldCipher;
  accessTokenTtlSeconds: number;
  /** How long loaded keys are trusted before the database is read again. */
  cacheSeconds?: number;
}

export interface SigningKey {
  kid: string;
  alg: string;
  key: CryptoKey;
}

interface Loaded {
  at: number;
  signing: SigningKey;
  jwks: Jwks;
  verifying: Map<string, CryptoKey>;
}

/** Binds a sealed private key to its row: a ciphertext copied to another kid does not open. */
const privateKeyContext = (kid: string) => `signing_keys.private_key:${kid}`;

/** Allowance for clock differences between this service and the verifiers. */
const CLOCK_SKEW_SECONDS = 60;

export class KeyRing {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private lastUnknownKidReload = 0;
  private readonly cacheMs: number;

  constructor(private readonly opts: KeyRingOptions) {
    this.cacheMs = (opts.cacheSeconds ?? 30) * 1000;
  }

  /** Ensures an active key exists and loads the keys (fails if the active key cannot be decrypted). */
  async load(): Promise<void> {
    await this.reload();
  }

  async signingKey(): Promise<SigningKey> {
    return (await this.current()).signing;
  }

  async jwks(): Promise<Jwks> {
    return (await this.current()).jwks;
  }

  /** Key lookup for jose's jwtVerify (and the kit's createTokenVerifier). */
  readonly getKey: JWTVerifyGetKey = async (header) => {
    let state = await this.current();
    let key = header.kid ? state.verifying.get(header.kid) : undefined;
    // A kid we have not seen may come from a rotation by another replica: reload, but at
    // most once a second, so tokens with made-up kids cannot hammer the database.
    if (!key && header.kid && Date.now() - this.lastUnknownKidReload > 1000) {
      this.lastUnknownKidReload = Date.now();
      state = await this.reload();
      key = state.verifying.get(header.kid);
    }
    if (!key) throw new Error('no published signing key with this kid');
    return key;
  };

  /**
   * Starts signing with a new key. The previous one stays published until every token
   * it signed has expired, including tokens other replicas sign before they reload.
   */
  async rotate(): Promise<string> {
    const retiredVerifySeconds = this.opts.accessTokenTtlSeconds + this.cacheMs / 1000 + CLOCK_SKEW_SECONDS;
    await this.opts.store.rotate(() => this.generate(), retiredVerifySeconds);
    return (await this.reload()).signing.kid;
  }

  private async current(): Promise<Loaded> {
    const loaded = this.loaded;
    if (loaded && Date.now() - loaded.at < this.cacheMs) return loaded;
    // While the database is unreachable, the keys loaded last stay good (JWKS keeps answering).
    return this.reload().catch((err: unknown) => {
      if (loaded) return loaded;
      throw err;
    });
  }

  private reload(): Promise<Loaded> {
    this.loading ??= this.read().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async read(): Promise<Loaded> {
    let keys = await this.opts.store.published();
    if (!keys.some((k) => k.active)) {
      await this.opts.store.ensureActive(() => this.generate());
      keys = await this.opts.store.published();
    }
    const active = keys.find((k) => k.active);
    if (!active) throw new Error('no active signing key after ensureActive');
    const verifying = new Map<string, CryptoKey>();
    for (const k of keys) verifying.set(k.kid, (await importJWK(k.publicJwk as JWK, k.alg)) as CryptoKey);
    const privateJwk = JSON.parse(this.openPrivateKey(active)) as JWK;
    const signing: SigningKey = { kid: active.kid, alg: active.alg, key: (await importJWK(privateJwk, active.alg)) as CryptoKey };
    const loaded: Loaded = {
      at: Date.now(),
      signing,
      jwks: { keys: keys.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' as const })) },
      verifying,
    };
    this.loaded = loaded;
    return loaded;
  }

  private openPrivateKey(k: StoredSigningKey): string {
    if (k.encryptionKeyId === null) return k.privateKey;
    const enc = this.opts.encryption;
    if (!enc) throw new Error(`signing key ${k.kid} is stored encrypted (key id ${k.encryptionKeyId}) but SIGNING_KEY_ENCRYPTION_KEYS is not set`);
    try {
      return enc.decrypt(k.privateKey, privateKeyContext(k.kid));
    } catch (err) {
      throw new Error(`signing key ${k.kid} cannot be decrypted with SIGNING_KEY_ENCRYPTION_KEYS: ${(err as Error).message}`);
    }
  }

  private async generate(): Promise<NewSigningKey> {
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { crv: 'Ed25519', extractable: true });
    const pub = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(pub);
    const privateJson = JSON.stringify(await exportJWK(privateKey));
    const enc = this.opts.encryption;
    return {
      kid,
      alg: SIGNING_ALG,
      publicJwk: { kty: String(pub.kty), crv: pub.crv, x: pub.x, kid, alg: SIGNING_ALG, use: 'sig' },
      privateKey: enc ? enc.encrypt(privateJson, privateKeyContext(kid)) : privateJson,
      encryptionKeyId: enc ? enc.currentKeyId : null,
    };
  }
}
