// Text helpers of the catalogue: search normalisation, repair of source quirks and a
// human display name. Pure functions, no I/O.
//
// Search model: a document and a query are both reduced by normalizeText() to lower-case,
// accent-free words separated by single spaces. A query matches a document when every
// query token is a prefix of some document word, in any order ("cardiolog" matches
// "cardiologica"; "oculistica visita" matches "PRIMA VISITA OCULISTICA"). Tokens hold only
// letters and digits, so they are safe to use in SQL `LIKE 'token%'` patterns without
// escaping.

const COMBINING_MARKS = /\p{M}+/gu;
const NON_ALPHANUMERIC = /[^\p{L}\p{N}]+/gu;

/**
 * Lower case, accents stripped, every run of non-alphanumerics collapsed to one space,
 * trimmed. `"ECO(COLOR)DOPPLERGRAFIA Cardiaca, è"` -> `"eco color dopplergrafia cardiaca e"`.
 *
 * Uses NFKD (canonical + compatibility decomposition, a superset of NFD) so that
 * superscripts and ligatures fold too ("cm²" -> "cm2").
 */
export function normalizeText(s: string): string {
  return s
    .toLowerCase()
    .normalize('NFKD')
    .replace(COMBINING_MARKS, '')
    .replace(NON_ALPHANUMERIC, ' ')
    .trim();
}

/** normalizeText() in upper case: the form the specialty rules are written against. */
export function foldUpper(s: string): string {
  return normalizeText(s).toUpperCase();
}

const UPPER = 'A-ZÀ-ÖØ-Þ';
const LOWER = 'a-zß-öø-ÿ';
// "ENCEFALICONon associabile": an upper-case word run straight into a capitalised word.
// At least three capitals before and two lower-case letters after, so that "HDVAg", "MESh"
// and "SNPs" (real abbreviations) are left alone.
const GLUED_AFTER_UPPER = new RegExp(`([${UPPER}]{3,})(?=[${UPPER}][${LOWER}]{2,})`, 'gu');
// "disordini del movimentoEscluso": a lower-case word run straight into a capitalised word.
// At least three lower-case letters before, so "IgG", "pH", "HbA2", "fPSA" stay intact.
const GLUED_AFTER_LOWER = new RegExp(`([${LOWER}]{3,})(?=[${UPPER}][${LOWER}]{2,})`, 'gu');
// "PERONEALE.Incluso": a full stop with no space before a capitalised word. Not after a
// digit (decimals) and not before a capital followed by a full stop ("I.U.D.", "A.B.").
const MISSING_SPACE_AFTER_STOP = new RegExp(`(?<=[^\\s\\d.])(\\.+)(?=[${UPPER}][${LOWER}]{2,})`, 'gu');
const WHITESPACE_RUN = /\s+/gu;
// The source doubles some quotes inside quoted fields (`""VACUUM ASSISTED""`).
const DOUBLED_QUOTES = /""/g;

/**
 * The description with source quirks repaired: whitespace (including line breaks inside a
 * field) collapsed to single spaces, words glued at a sentence boundary separated
 * ("ENCEFALICONon" -> "ENCEFALICO Non", "CONTROLLO.Incluso" -> "CONTROLLO. Incluso"),
 * doubled quotes undone. Spelling typos of the source ("PRMA VISITA") are kept: they are
 * the official text. The original description should be stored alongside.
 */
export function cleanDescription(s: string): string {
  return s
    .replace(WHITESPACE_RUN, ' ')
    .replace(DOUBLED_QUOTES, '"')
    .replace(MISSING_SPACE_AFTER_STOP, '$1 ')
    .replace(GLUED_AFTER_UPPER, '$1 ')
    .replace(GLUED_AFTER_LOWER, '$1 ')
    .trim();
}

// Where the title of a description ends: the source appends notes such as
// "Incluso: ...", "Escluso: ...", "Non associabile a ...".
const NOTE_MARKER = /\s(?:incluso|inclusa|inclusi|incluse|escluso|esclusa|esclusi|escluse|compreso|compresa|comprese|non associabile)\b/iu;
// A sentence end: full stop (or colon) and whitespace, not after a short abbreviation such
// as "ES." or "VIT.", nor inside an initialism like "S.N.P.".
const SENTENCE_END = /(?<!(?:^|[\s([.])\p{L}{1,3})[.:](?=\s)/u;

/**
 * The title of a description: its first sentence, without the appended notes. This is the
 * part that names the service; the notes often mention other services ("Incluso: visita
 * anestesiologica") and must not drive the derived specialty or the display name.
 */
export function descriptionTitle(description: string): string {
  let s = cleanDescription(description);
  const stop = SENTENCE_END.exec(s);
  if (stop) s = s.slice(0, stop.index);
  const note = NOTE_MARKER.exec(s);
  if (note && note.index > 0) s = s.slice(0, note.index);
  return s.replace(/[\s.,;:]+$/u, '').trim();
}

// Words that stay upper case in a display name: imaging and test acronyms of the catalogue.
const ACRONYMS = new Set([
  'ABI', 'ADL', 'AIDS', 'ANCA', 'BNP', 'CEA', 'CPK', 'DNA', 'DXA', 'ECG', 'EEG', 'EGDS', 'EMG',
  'EOG', 'ERG', 'FDG', 'FISH', 'HBV', 'HCV', 'HDV', 'HIV', 'HLA', 'HPV', 'ICF', 'ICSI', 'IMRT',
  'IUD', 'IUI', 'LASIK', 'LASEK', 'MDC', 'OCT', 'ORL', 'PAI', 'PAP', 'PCR', 'PET', 'PRK', 'PSA',
  'PTK', 'RM', 'RNA', 'RX', 'SPET', 'TC', 'TSH', 'VEP', 'YAG',
]);
const ROMAN_NUMERAL = /^(?:II|III|IV|VI|VII|VIII|IX|XI|XII)$/;
// Upper-case Italian writes a final accented vowel as vowel + apostrophe ("ETA'", "PIU'").
const APOSTROPHE_ACCENT: Record<string, string> = { a: 'à', e: 'è', i: 'ì', o: 'ò', u: 'ù' };

function displayWord(word: string): string {
  const letters = word.replace(/[^\p{L}]/gu, '');
  if (letters === '' || letters !== letters.toUpperCase()) return word; // mixed case: as given ("IgG", "pH")
  if (/\p{N}/u.test(word)) return word; // "CO2", "B12", "HbA1c"
  if (ACRONYMS.has(letters) || ROMAN_NUMERAL.test(letters)) return word;
  // Consonant-only words are abbreviations ("TC", "RX", "MDC").
  if (letters.length >= 2 && !/[AEIOUÀ-ÖØ-Ý]/u.test(letters)) return word;
  return word.toLowerCase().replace(/([aeiou])['’](?=$|[^\p{L}])/gu, (_m, v: string) => APOSTROPHE_ACCENT[v] ?? v);
}

/**
 * A human name for a catalogue service: the title of its description in sentence case,
 * accents kept, acronyms kept upper case. "PRIMA VISITA CARDIOLOGICA. Incluso: ECG" ->
 * "Prima visita cardiologica"; "STUDIO DELL' ETA' OSSEA" -> "Studio dell' età ossea".
 */
export function displayName(description: string): string {
  const title = descriptionTitle(description) || cleanDescription(description);
  const text = title.split(' ').map(displayWord).join(' ');
  const first = text.search(/\p{L}/u);
  if (first < 0) return text;
  return text.slice(0, first) + text.charAt(first).toUpperCase() + text.slice(first + 1);
}

// Articles, prepositions and conjunctions that carry no meaning in a query. Dropped from a
// query that has other words, so "ecografia dell'addome" and "ecografia addome" match the
// same services; a query made only of such words keeps them.
const QUERY_STOPWORDS = new Set([
  'a', 'ad', 'al', 'all', 'alla', 'alle', 'allo', 'ai', 'agli', 'col', 'con', 'da', 'dal', 'dall',
  'dalla', 'dalle', 'dallo', 'dai', 'dagli', 'di', 'del', 'dell', 'della', 'delle', 'dello', 'dei',
  'degli', 'e', 'ed', 'il', 'i', 'in', 'l', 'la', 'le', 'lo', 'gli', 'nel', 'nell', 'nella', 'nelle',
  'nello', 'nei', 'negli', 'o', 'od', 'per', 'su', 'sul', 'sull', 'sulla', 'sulle', 'sullo', 'sui',
  'sugli', 'tra', 'fra', 'un', 'uno', 'una',
]);

/** The words of a document, normalised, in order (duplicates kept). */
export function documentWords(text: string): string[] {
  const n = normalizeText(text);
  return n === '' ? [] : n.split(' ');
}

/**
 * The tokens of a search query: normalised words, de-duplicated, stop words dropped when
 * other words remain, a token that is a prefix of another token dropped (it adds nothing:
 * "card cardiolog" is "cardiolog"). An empty array means "no text filter".
 */
export function searchTokens(query: string): string[] {
  const words = [...new Set(documentWords(query))];
  const meaningful = words.filter((w) => !QUERY_STOPWORDS.has(w));
  const kept = meaningful.length > 0 ? meaningful : words;
  return kept.filter((t) => !kept.some((other) => other !== t && other.startsWith(t)));
}

/**
 * Whether a document matches query tokens: every token is a prefix of at least one word
 * of the document, in any order. No tokens match everything.
 */
export function matchesTokens(tokens: readonly string[], documentText: string): boolean {
  if (tokens.length === 0) return true;
  const words = documentWords(documentText);
  return tokens.every((t) => words.some((w) => w.startsWith(t)));
}
