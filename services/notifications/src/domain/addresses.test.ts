import { RegistrationEmail } from '@healthmatch/contracts';
import { compileSchemaCheck } from '@healthmatch/platform';
import { describe, it, expect } from 'vitest';
import { assertHeaderSafe, HeaderInjectionError, parseMailAddress, safeDisplayName } from './addresses.ts';

describe('parseMailAddress', () => {
  it('accepts ordinary addresses, trims them and lowercases only the domain', () => {
    expect(parseMailAddress('mario.rossi@example.it')).toBe('mario.rossi@example.it');
    expect(parseMailAddress('  Mario.Rossi@Example.IT  ')).toBe('Mario.Rossi@example.it');
    expect(parseMailAddress('first+tag@mail.example-clinic.co.uk')).toBe('first+tag@mail.example-clinic.co.uk');
    expect(parseMailAddress("d'angelo@studio.it")).toBe("d'angelo@studio.it");
    expect(parseMailAddress('a_b-c@x1.example.com')).toBe('a_b-c@x1.example.com');
  });

  it('refuses classic header injection attempts', () => {
    for (const bad of [
      'a@b.it\r\nBcc: x@y.it',
      'a@b.it\nBcc: x@y.it',
      'a@b.it\rBcc: x@y.it',
      'a@b.it\r\n',
      '\r\na@b.it',
      'a@b.it\0',
      'a@b.it\u2028Bcc: x@y.it',
      'a@b.it\u2029',
      'a@b.it\u0085',
      'a@b.it\t',
      'a@b.it\u007f',
      // Percent-encoded CRLF is never decoded by us or by nodemailer; it is refused in the
      // domain (not a hostname character) so it cannot reach a header at all.
      'a@b.it%0d%0a',
      'a@b.it%0d%0aBcc:x@y.it',
    ]) {
      expect(parseMailAddress(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('keeps a percent sign in the local part as a harmless literal character', () => {
    // '%' is valid atext (RFC 5322); it carries no meaning in a header and is never decoded.
    expect(parseMailAddress('a%0d%0a@b.it')).toBe('a%0d%0a@b.it');
  });

  it('refuses lists, display names, quotes, spaces and multiple @', () => {
    for (const bad of [
      '',
      '   ',
      'plainaddress',
      '@b.it',
      'a@',
      'a@@b.it',
      'a@b@c.it',
      'a b@c.it',
      'a@b .it',
      'a\u00a0b@c.it',
      'Mario <a@b.it>',
      '<a@b.it>',
      'a@b.it, c@d.it',
      'a@b.it;c@d.it',
      '"a"@b.it',
      '"a b"@c.it',
      'a`b@c.it',
      'a@[127.0.0.1]',
      'a(comment)@b.it',
      'a\\b@c.it',
    ]) {
      expect(parseMailAddress(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('refuses malformed local parts and domains', () => {
    for (const bad of [
      '.a@b.it',
      'a.@b.it',
      'a..b@c.it',
      'a@localhost',
      'a@-b.it',
      'a@b-.it',
      'a@b..it',
      'a@.b.it',
      'a@b.it.',
      'a@b_c.it',
      'a@bücher.de',
      'ä@b.it',
      'a@1.2.3.4',
    ]) {
      expect(parseMailAddress(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  it('enforces the length limits', () => {
    const local64 = 'a'.repeat(64);
    expect(parseMailAddress(`${local64}@b.it`)).toBe(`${local64}@b.it`);
    expect(parseMailAddress(`${'a'.repeat(65)}@b.it`)).toBeNull();

    const label = 'd'.repeat(63);
    const domain = `${label}.${label}.${label}.${'e'.repeat(57)}`; // 4*63 - 6 + 3 dots = 249
    const ok = `ab@${domain}`; // 2 + 1 + 249 = 252
    expect(ok.length).toBe(252);
    expect(parseMailAddress(ok)).toBe(ok);
    const at254 = `abcd@${domain}`;
    expect(at254.length).toBe(254);
    expect(parseMailAddress(at254)).toBe(at254);
    expect(parseMailAddress(`abcde@${domain}`)).toBeNull(); // 255
    expect(parseMailAddress(`a@${'d'.repeat(64)}.it`)).toBeNull(); // label > 63
  });
});

describe('safeDisplayName', () => {
  it('turns control characters and line breaks into single spaces', () => {
    expect(safeDisplayName('Dr. Rossi\r\nBcc: x@y.it')).toBe('Dr. Rossi Bcc: x@y.it');
    expect(safeDisplayName('A\0\0\rB')).toBe('A B');
    expect(safeDisplayName('A\u2028B\u2029C')).toBe('A B C');
    expect(safeDisplayName('  Studio   Bianchi\t ')).toBe('Studio Bianchi');
  });

  it('keeps accents and punctuation, and caps the length without splitting characters', () => {
    expect(safeDisplayName("Niccolò D'Angelo, \"Studio\"")).toBe("Niccolò D'Angelo, \"Studio\"");
    const long = `${'x'.repeat(99)}😀😀`;
    const capped = safeDisplayName(long)!;
    expect(Array.from(capped)).toHaveLength(100);
    expect(capped.endsWith('😀')).toBe(true);
    expect(safeDisplayName('y'.repeat(500))).toBe('y'.repeat(100));
  });

  it('gives undefined when nothing is left', () => {
    expect(safeDisplayName(undefined)).toBeUndefined();
    expect(safeDisplayName(null)).toBeUndefined();
    expect(safeDisplayName('')).toBeUndefined();
    expect(safeDisplayName(' \r\n\t ')).toBeUndefined();
  });
});

describe('assertHeaderSafe', () => {
  it('passes ordinary values, including non-ASCII ones', () => {
    expect(() => assertHeaderSafe('subject', 'Il tuo appuntamento è confermato – ven 4 dic')).not.toThrow();
  });

  it('throws HeaderInjectionError on CR, LF or NUL without quoting the value', () => {
    for (const bad of ['x\r\nBcc: y@z.it', 'x\ny', 'x\ry', 'x\0y']) {
      let caught: unknown;
      try {
        assertHeaderSafe('subject', bad);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(HeaderInjectionError);
      expect((caught as HeaderInjectionError).label).toBe('subject');
      expect((caught as Error).message).not.toContain('Bcc');
    }
  });
});

describe('parseMailAddress agrees with what registration accepts', () => {
  // An address auth registers but notifications refuses would fail every message to that
  // user, silently; the registration schema and this parser must say the same.
  const registrable = compileSchemaCheck(RegistrationEmail);
  const cases = [
    'mario.rossi@example.it',
    "d'angelo@example.it",
    'first+tag@sub.example.co.uk',
    'UPPER@EXAMPLE.IT',
    'w3`x@example.org',
    `${'i'.repeat(64)}@example.org`,
    `${'i'.repeat(65)}@example.org`,
    '=?utf-8?b?QmNjOiB4QGV2aWwudGVzdA==?=326734@example.org',
    'a@1.2',
    'a@localhost',
    'a b@example.it',
    'a..b@example.it',
    'a@example.it\r\nBcc: x@example.it',
    'a@-example.it',
    `long@${'e'.repeat(63)}.org`,
    `long@${'e'.repeat(64)}.org`,
    `joe@${'d'.repeat(70)}.example.org`,
  ];
  it.each(cases)('%s', (address) => {
    expect(parseMailAddress(address) !== null).toBe(registrable.check(address));
  });
});
