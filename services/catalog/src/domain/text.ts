// Text helpers of the catalogue: search normalisation, repair of source quirks and a
// human display name. Pure functions, no I/O.
import { correctSourceTypos } from './source-typos.ts';
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
// Words that open the source's notes; they show up glued to the previous word.
const NOTE_OPENERS = 'Non|Per|Con|Incluso|Inclusa|Inclusi|Incluse|Escluso|Esclusa|Esclusi|Escluse|Compreso|Compresa';
// A capitalised word glued to the previous one: a note opener, or any capitalised word of
// five letters or more (shorter ones are too often abbreviations: "HDVAg", "MESh", "SNPs",
// or typos such as "VALUTAZIONdi", which must not be split into "VALUTAZIO Ndi").
const GLUED_WORD = `(?:(?:${NOTE_OPENERS})(?![\\p{L}])|[${UPPER}][${LOWER}]{4,})`;
// "ENCEFALICONon associabile": an upper-case word run straight into a capitalised word.
const GLUED_AFTER_UPPER = new RegExp(`([${UPPER}]{3,})(?=${GLUED_WORD})`, 'gu');
// "disordini del movimentoEscluso": a lower-case word run straight into a capitalised word.
// At least three lower-case letters before, so "IgG", "pH", "HbA2", "fPSA" stay intact.
const GLUED_AFTER_LOWER = new RegExp(`([${LOWER}]{3,})(?=${GLUED_WORD})`, 'gu');
// "PERONEALE.Incluso": a full stop with no space before a capitalised word. Not after a
// digit (decimals); initialisms ("I.U.D.", "A.B.") have no lower case after the stop.
const MISSING_SPACE_AFTER_STOP = new RegExp(`(?<=[^\\s\\d.])(\\.+)(?=[${UPPER}][${LOWER}]{2,})`, 'gu');
const WHITESPACE_RUN = /\s+/gu;
// The source doubles some quotes inside quoted fields (`""VACUUM ASSISTED""`).
const DOUBLED_QUOTES = /""/g;

/**
 * The description with source quirks repaired: whitespace (including line breaks inside a
 * field) collapsed to single spaces, words glued at a sentence boundary separated
 * ("ENCEFALICONon" -> "ENCEFALICO Non", "CONTROLLO.Incluso" -> "CONTROLLO. Incluso"),
 * doubled quotes undone, and the known spelling typos of the source corrected
 * ("PRMA VISITA" -> "PRIMA VISITA", see source-typos.ts; other misspellings are kept).
 * Display name, search words and derived specialty all start from this text; the
 * original description is stored alongside, as published.
 */
export function cleanDescription(s: string): string {
  return correctSourceTypos(
    s
      .replace(WHITESPACE_RUN, ' ')
      .replace(DOUBLED_QUOTES, '"')
      .replace(MISSING_SPACE_AFTER_STOP, '$1 ')
      .replace(GLUED_AFTER_UPPER, '$1 ')
      .replace(GLUED_AFTER_LOWER, '$1 ')
      .trim(),
  );
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
  s = cutAtCapitalisedWord(s);
  return s.replace(/[\s.,;:\-–/]+$/u, '').trim();
}

// "Sondaggio", "Per", "'Esame": a capital and at least two lower-case letters, no other
// capital ("IgG", "HbA2", "Sm" are abbreviations, not the start of a note).
const CAPITALISED_WORD = /^[^\p{L}\p{N}([]*\p{Lu}\p{Ll}{2,}(?![\p{L}]*\p{Lu})/u;

/**
 * An upper-case title followed, without a full stop, by a note in ordinary case
 * ("SPECILLAZIONE DELLE VIE LACRIMALI Sondaggio meccanico ..."): cut before the first
 * capitalised word outside brackets. Titles that do not start upper case are left alone.
 */
function cutAtCapitalisedWord(s: string): string {
  const words = s.split(' ');
  // Only for titles that start upper case ("VISITA ...", also the typo "VALUTAZIONdi").
  if (!/^[^\p{L}]*\p{Lu}\p{Lu}/u.test(words[0] ?? '')) return s;
  let depth = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i] ?? '';
    if (i > 0 && depth === 0 && CAPITALISED_WORD.test(w)) return words.slice(0, i).join(' ');
    for (const ch of w) {
      if (ch === '(' || ch === '[') depth++;
      else if ((ch === ')' || ch === ']') && depth > 0) depth--;
    }
  }
  return s;
}

// Words that stay upper case in a display name: imaging and test acronyms of the catalogue.
// Consonant-only words ("TC", "RX", "MDC", "HTLV") and short bracketed words ("(SPE)",
// "[CAPD]") are kept as abbreviations without being listed.
const ACRONYMS = new Set([
  'ABI', 'ACE', 'ADL', 'AIDS', 'AMA', 'ANA', 'ANCA', 'BNP', 'CA', 'CEA', 'CPK', 'DNA', 'DXA', 'EBV',
  'ECG', 'EEG', 'EGDS', 'EGFR', 'EIA', 'EMG', 'EOG', 'ERG', 'FDG', 'FISH', 'HAV', 'HBV', 'HCV',
  'HDV', 'HEV', 'HIV', 'HLA', 'HPV', 'HSV', 'ICF', 'ICSI', 'IMRT', 'IUD', 'IUI', 'LASIK', 'LASEK',
  'MDC', 'OCT', 'OMS', 'ORL', 'PAI', 'PAP', 'PCR', 'PET', 'PRK', 'PSA', 'PTK', 'RM', 'RNA', 'RX',
  'SPET', 'TC', 'TSH', 'VEP', 'YAG',
]);
const ROMAN_NUMERAL = /^(?:II|III|IV|VI{1,3}|IX|XI{0,3}|XIV|XV)$/;
// Upper-case Italian writes a final accented vowel as vowel + apostrophe ("ETA'", "PIU'").
const APOSTROPHE_ACCENT: Record<string, string> = { a: 'à', e: 'è', i: 'ì', o: 'ò', u: 'ù' };
// Single letters that are Italian words ("e", "o", "a", "i"); others are names ("vitamina D").
const ONE_LETTER_WORDS = new Set(['A', 'E', 'I', 'O']);

const lettersOf = (s: string): string => s.replace(/[^\p{L}]/gu, '');

function displayPart(part: string): string {
  const letters = lettersOf(part);
  if (letters === '' || letters !== letters.toUpperCase()) return part; // mixed case: as given ("IgG", "pH")
  if (ACRONYMS.has(letters) || ROMAN_NUMERAL.test(letters)) return part;
  if (/\p{N}/u.test(part) && letters.length <= 4) return part; // "CO2", "O2", "B12", "C13"
  if (letters.length === 1) return ONE_LETTER_WORDS.has(letters) ? part.toLowerCase() : part;
  if (!/[AEIOUÀ-ÖØ-Ý]/u.test(letters)) return part; // consonant-only abbreviations
  return part.toLowerCase().replace(/([aeiou])['’](?=$|[^\p{L}])/gu, (_m, v: string) => APOSTROPHE_ACCENT[v] ?? v);
}

function displayWord(word: string): string {
  const letters = lettersOf(word);
  if (/^[([].*[)\]][,.;:]?$/u.test(word) && letters.length <= 5 && letters === letters.toUpperCase()) return word;
  // "TC-GUIDATA" -> "TC-guidata", "E/O" -> "e/o".
  return word.split(/([/-])/).map(displayPart).join('');
}

/**
 * A human name for a catalogue service: the title of its description in sentence case,
 * accents kept, acronyms kept upper case. "PRIMA VISITA CARDIOLOGICA. Incluso: ECG" ->
 * "Prima visita cardiologica"; "STUDIO DELL' ETA' OSSEA" -> "Studio dell' età ossea".
 */
export function displayName(description: string): string {
  const title = descriptionTitle(description) || cleanDescription(description);
  const text = title.split(' ').map(displayWord).join(' ');
  // Capitalise the first word unless it keeps a case of its own ("pH-metria", "IgE", "TC").
  const first = /\p{L}+/u.exec(text);
  if (!first || first[0] !== first[0].toLowerCase()) return text;
  return text.slice(0, first.index) + first[0].charAt(0).toUpperCase() + text.slice(first.index + 1);
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
