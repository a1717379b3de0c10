// Password hashing: argon2id for every new hash; older schemes still verify so their
// owners can log in, and are replaced by an argon2id hash at that login (needsRehash).
import { randomBytes } from 'node:crypto';
import { hash as argon2Hash, parseOptions, verify as argon2Verify, type Algorithm } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';

// Algorithm is a const enum, which isolatedModules cannot read at run time; 2 is Argon2id.
const ARGON2ID = 2 as Algorithm;

/** OWASP's argon2id baseline (19 MiB, 2 passes, 1 lane). */
export const ARGON2_POLICY = { memoryCost: 19_456, timeCost: 2, parallelism: 1, outputLen: 32 } as const;

export interface PasswordHasherOptions {
  /** Told about hashes this process cannot verify (for the logs). */
  onUnsupportedHash?: (scheme: string) => void;
}

const BCRYPT = /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/;

export type HashScheme = 'argon2id' | 'argon2-other' | 'bcrypt' | 'unknown';

export function hashScheme(stored: string): HashScheme {
  if (stored.startsWith('$argon2id$')) return 'argon2id';
  if (stored.startsWith('$argon2')) return 'argon2-other';
  if (BCRYPT.test(stored)) return 'bcrypt';
  return 'unknown';
}

export class PasswordHasher {
  /** Made at once, so even the first unknown e-mail costs what a known one does. */
  private readonly dummy: Promise<string>;

  constructor(private readonly opts: PasswordHasherOptions = {}) {
    this.dummy = this.hash(randomBytes(18).toString('base64url'));
    this.dummy.catch(() => {}); // awaited (and its failure seen) in verifyDummy
  }

  hash(password: string): Promise<string> {
    return argon2Hash(password, { ...ARGON2_POLICY, algorithm: ARGON2ID });
  }

  async verify(stored: string, password: string): Promise<boolean> {
    const scheme = hashScheme(stored);
    try {
      if (scheme === 'argon2id' || scheme === 'argon2-other') return await argon2Verify(stored, password);
      // Legacy hashes imported from the seed system: they verify, and login upgrades them.
      if (scheme === 'bcrypt') return await bcryptVerify(password, stored);
    } catch {
      // A corrupt stored hash is a failed verification, never a 500 that tells it apart.
      return false;
    }
    this.opts.onUnsupportedHash?.(scheme);
    return false;
  }

  /** True when a verified hash should be replaced by a fresh argon2id hash of the policy. */
  needsRehash(stored: string): boolean {
    if (hashScheme(stored) !== 'argon2id') return true;
    try {
      const p = parseOptions(stored);
      return (
        p.memoryCost < ARGON2_POLICY.memoryCost ||
        p.timeCost < ARGON2_POLICY.timeCost ||
        p.parallelism !== ARGON2_POLICY.parallelism ||
        p.outputLen < ARGON2_POLICY.outputLen
      );
    } catch {
      return true;
    }
  }

  /** Does the work of one verification against a throw-away hash (unknown e-mails). */
  async verifyDummy(password: string): Promise<void> {
    await argon2Verify(await this.dummy, password);
  }
}
