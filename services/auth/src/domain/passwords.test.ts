import { hash } from '@node-rs/argon2';
import { describe, expect, it, vi } from 'vitest';
import { hashScheme, PasswordHasher } from './passwords.ts';

// A syntactically valid bcrypt hash (cost 10); nothing here computes bcrypt.
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

  it('fails closed on bcrypt hashes while no bcrypt implementation is plugged in', async () => {
    const onUnsupportedHash = vi.fn();
    expect(await new PasswordHasher({ onUnsupportedHash }).verify(BCRYPT, 'anything')).toBe(false);
    expect(onUnsupportedHash).toHaveBeenCalledWith('bcrypt');
  });

  it('hands bcrypt hashes to the plugged-in verifier', async () => {
    const bcryptVerify = vi.fn(async (password: string, stored: string) => password === 'legacy password' && stored === BCRYPT);
    const legacy = new PasswordHasher({ bcryptVerify });
    expect(await legacy.verify(BCRYPT, 'legacy password')).toBe(true);
    expect(await legacy.verify(BCRYPT, 'wrong')).toBe(false);
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
