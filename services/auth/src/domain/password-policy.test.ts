// The password policy for new passwords (NewPassword in the contracts), as registration and
// create-admin apply it: long enough, something visible, no control characters.
import { describe, expect, it } from 'vitest';
import { checkAdminInput } from './admin-accounts.ts';

const accepted = (password: string) => {
  try {
    checkAdminInput({ email: 'ops@example.org', password });
    return true;
  } catch {
    return false;
  }
};

describe('new password policy', () => {
  it('accepts passphrases with spaces, accents, other scripts and emoji', () => {
    for (const password of ['correct horse battery', '  spaced out  ', 'pässwörd ünïcödé', 'пароль-надёжный', '密码密码密码密码密码', 'lock 🔒 and key 🔑']) {
      expect(accepted(password), password).toBe(true);
    }
  });

  it('refuses passwords with nothing visible in them, or with control characters, and short ones', () => {
    for (const password of [' '.repeat(12), '\t\n '.repeat(4), '\u00a0\u3000\u2028'.repeat(4), '\u200b'.repeat(14), '\u00ad'.repeat(11), '\ufeff'.repeat(11), '\u0000'.repeat(11), 'good password\u0000', 'bell\u0007password', 'short']) {
      expect(accepted(password), JSON.stringify(password)).toBe(false);
    }
  });
});
