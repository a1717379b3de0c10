// Mail addresses, display names and header values that are safe to hand to the mailer.
//
// Every value that ends up in a header comes from data other people typed (a provider's
// name, a patient's e-mail). A CR or LF in it could add headers (Bcc: ...) or a body of the
// attacker's choice, so this module refuses what cannot be a plain address instead of trying
// to repair it, and it accepts a deliberately narrow shape: the dot-atom addresses real
// mailboxes use, with an ASCII domain. Quoted local parts, comments, IP literals and
// internationalized addresses are refused: no patient or provider needs them and each one is
// a parser disagreement waiting to happen between us, nodemailer and the receiving MTA.

export class HeaderInjectionError extends Error {
  constructor(readonly label: string) {
    // The value itself is not quoted: it may be personal data or an attack payload.
    super(`${label} contains a line break or NUL and cannot go into a mail header`);
    this.name = 'HeaderInjectionError';
  }
}

const MAX_ADDRESS_LENGTH = 254; // RFC 5321 path limit (256) minus the angle brackets
const MAX_LOCAL_LENGTH = 64;
const MAX_LABEL_LENGTH = 63;
const MAX_DISPLAY_NAME_LENGTH = 100;

// C0 controls, DEL, C1 controls and the Unicode line/paragraph separators: some mail and
// calendar software treats U+2028/U+2029 (and NEL, U+0085, a C1 control) as line breaks.
const CONTROL_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u;
const CONTROL_RUNS_RE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/gu;

// RFC 5322 atext minus the double quote (never valid unquoted anyway) and the backtick; the
// apostrophe stays because Italian and Irish surnames put it in real mailboxes (d'angelo@...).
const LOCAL_ATOM_RE = /^[A-Za-z0-9!#$%&'*+/=?^_{|}~-]+$/;
const DOMAIN_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

/**
 * The normalized address (domain lowercased, local part kept as written: it is
 * case-sensitive in principle), or null when `raw` is not a plain address.
 */
export function parseMailAddress(raw: string): string | null {
  if (typeof raw !== 'string') return null;
  // Checked before trimming: trim() would silently drop a trailing "\r\n", and an address
  // that arrives with one is a sign of tampering rather than of sloppy typing.
  if (CONTROL_RE.test(raw)) return null;
  const value = raw.trim();
  if (value.length === 0 || value.length > MAX_ADDRESS_LENGTH) return null;
  // Whitespace of any kind (NBSP, ideographic space...) and the characters that delimit
  // lists, display names and quoted strings in address headers.
  if (/[\s<>,;"`()[\]\\:]/u.test(value)) return null;

  const at = value.indexOf('@');
  if (at < 0 || at !== value.lastIndexOf('@')) return null;
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);

  if (local.length === 0 || local.length > MAX_LOCAL_LENGTH) return null;
  // "=?" opens an RFC 2047 encoded word: lenient readers decode it and show the recipient as
  // something else (a "Bcc: ..." look-alike). The registration schema refuses it too.
  if (local.includes('=?')) return null;
  if (!local.split('.').every((atom) => LOCAL_ATOM_RE.test(atom))) return null;

  const labels = domain.split('.');
  // A single label (user@localhost) is not deliverable on the Internet and would only hide a
  // configuration mistake.
  if (labels.length < 2) return null;
  if (!labels.every((l) => l.length <= MAX_LABEL_LENGTH && DOMAIN_LABEL_RE.test(l))) return null;
  // An all-numeric last label makes the domain look like an IPv4 address.
  if (/^\d+$/.test(labels[labels.length - 1]!)) return null;

  return `${local}@${domain.toLowerCase()}`;
}

/**
 * A display name fit for a header: control characters (line breaks included) become a
 * space, whitespace is collapsed, and the result is capped at 100 characters. undefined when
 * nothing is left, so the caller sends the bare address.
 */
export function safeDisplayName(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const cleaned = raw.replace(CONTROL_RUNS_RE, ' ').replace(/\s+/gu, ' ').trim();
  if (cleaned.length === 0) return undefined;
  // Cut on code points so an emoji (surrogate pair) at the edge is never split in half.
  const chars = Array.from(cleaned);
  if (chars.length <= MAX_DISPLAY_NAME_LENGTH) return cleaned;
  const capped = chars.slice(0, MAX_DISPLAY_NAME_LENGTH).join('').trim();
  return capped.length > 0 ? capped : undefined;
}

/** Throws HeaderInjectionError when `value` could end a header line (CR, LF) or a C string (NUL). */
export function assertHeaderSafe(label: string, value: string): void {
  if (typeof value !== 'string' || /[\r\n\0]/.test(value)) throw new HeaderInjectionError(label);
}
