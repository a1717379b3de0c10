// E-mail addresses are stored as given and compared in this normalised form; the
// database derives the same form (lower(btrim(email))) for its unique index.
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}
