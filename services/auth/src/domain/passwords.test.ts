import { hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { describe, expect, it } from 'vitest';
import { hashScheme, PasswordHasher } from './passwords.ts';

// A syntactically valid bcrypt hash (cost 10).
const BCRYPT = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';

describe('PasswordHasher', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id and verifies only the right password', async () => {
    const h = await hasher.hash('correct horse battery');
    expect(h.startsWith('$argon2id$v=19$m=19456,t=2,p=1$')).toBe(true);
    expect(await hasher.verify(h, 'correct horse battery')).toBe(true);
    expect(await hasher.verify(h, 'correct horse batterY')).toBe(false);
    expect(hasher.needsRehash(h)).toBe(false);
  });

  it('asks to rehash argon2 hashes of weaker parameters or another variant', async () => {
    expect(hasher.needsRehash(await hash('pw', { memoryCost: 4096, timeCost: 1 }))).toBe(true);
    expect(hasher.needsRehash(await hash('pw', { algorithm: 1 as never }))).toBe(true);
    expect(hasher.needsRehash(BCRYPT)).toBe(true);
  });

  it('verifies legacy bcrypt hashes ($2b$ and $2y$) and asks to rehash them', async () => {
    const b = await bcryptHash('legacy password', 4);
    expect(hashScheme(b)).toBe('bcrypt');
    expect(await hasher.verify(b, 'legacy password')).toBe(true);
    expect(await hasher.verify(b, 'wrong')).toBe(false);
    const y = b.replace(/^\$2b\$/, '$2y$');
    expect(await hasher.verify(y, 'legacy password')).toBe(true);
    expect(hasher.needsRehash(b)).toBe(true);
  });

  it('treats garbage hashes as a failed verification', async () => {
    expect(hashScheme('plain')).toBe('unknown');
    expect(await hasher.verify('plain', 'plain')).toBe(false);
    expect(await hasher.verify('$argon2id$garbage', 'x')).toBe(false);
  });

  it('does a real verification for unknown e-mails', async () => {
    await expect(hasher.verifyDummy('whatever')).resolves.toBeUndefined();
  });
});
