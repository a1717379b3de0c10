// Known spelling typos of the national catalogue (it_catalogo_nazionale_prestazioni.csv),
// corrected in what the catalog derives from a description: the clean description, the
// display name and the search words (and so the derived specialty). The description as
// published is stored unchanged next to them.
//
// Only sure typos, one whole word each, whose right spelling the same file uses elsewhere;
// a patient typing the right word would otherwise not find the service. Adding a word here
// changes the derived content, so the next start re-imports (catalogue-import.ts checksum).
const SOURCE_TYPOS: ReadonlyArray<readonly [typo: string, correct: string]> = [
  // 89.7A.3, the first cardiology visit: "PRIMA VISITA" everywhere else.
  ['PRMA', 'PRIMA'],
  // 89.01.S, the follow-up visit of maxillofacial surgery: "MAXILLO FACCIALE" in 89.7B.2.
  ['MAXILLLO', 'MAXILLO'],
];

/** The table, for reports and tests: typo -> correct spelling, upper case. */
export const KNOWN_SOURCE_TYPOS: ReadonlyMap<string, string> = new Map(SOURCE_TYPOS);

// Whole words only, in any letter case ("Prma" as well as "PRMA"; never inside "PRMAX").
const TYPO_WORD = new RegExp(`(?<![\\p{L}\\p{N}])(?:${SOURCE_TYPOS.map(([typo]) => typo).join('|')})(?![\\p{L}\\p{N}])`, 'giu');

/** `correct` written in the letter case of `found`: upper, lower or capitalised. */
function inCaseOf(found: string, correct: string): string {
  if (found === found.toUpperCase()) return correct.toUpperCase();
  if (found === found.toLowerCase()) return correct.toLowerCase();
  return correct.charAt(0).toUpperCase() + correct.slice(1).toLowerCase();
}

/** The text with every known typo corrected, keeping each word's letter case. */
export function correctSourceTypos(s: string): string {
  return s.replace(TYPO_WORD, (found) => inCaseOf(found, KNOWN_SOURCE_TYPOS.get(found.toUpperCase()) ?? found));
}
