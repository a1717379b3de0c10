// Upper-case names and addresses of the source turned into how Italians write them:
// "CASA DI CURA VILLA DELL'ADDOLORATA S.R.L." -> "Casa di Cura Villa dell'Addolorata S.r.l.",
// "VIA DELLA MAGLIANA 279" -> "Via della Magliana 279". Heuristic, never lossy: only the case
// changes (and a final vowel + apostrophe becomes the accented vowel, "CITTA'" -> "Città").

// Prepositions and conjunctions stay lower case inside a name. Articles (il, la, lo, le, i,
// gli) do not: in names they usually belong to a proper noun ("Villa La Quiete").
const LOWER_WORDS = new Set([
  'a', 'ad', 'al', 'alla', 'alle', 'allo', 'ai', 'agli', 'all',
  'con', 'da', 'dal', 'dalla', 'dalle', 'dallo', 'dai', 'dagli', 'dall',
  'di', 'del', 'della', 'delle', 'dello', 'dei', 'degli', 'dell',
  'e', 'ed', 'in', 'nel', 'nella', 'nelle', 'nello', 'nei', 'negli', 'nell',
  'per', 'su', 'sul', 'sulla', 'sulle', 'sullo', 'sui', 'sugli', 'sull', 'tra', 'fra',
]);

// Elided articles and prepositions before an apostrophe: "DELL'ADDOLORATA", "L'APPRODO".
const ELIDED_LOWER = new Set(['l', 'd', 'dell', 'dall', 'nell', 'sull', 'all', 'un', 'quest']);

/** Legal forms of companies, in their usual spelling (names only; see `legalForms`). */
const LEGAL_FORMS: Record<string, string> = {
  SRL: 'S.r.l.',
  SRLS: 'S.r.l.s.',
  SPA: 'S.p.A.',
  SNC: 'S.n.c.',
  SAS: 'S.a.s.',
  SAPA: 'S.a.p.A.',
  SCRL: 'S.c.r.l.',
  SCARL: 'S.c.a r.l.',
  ONLUS: 'Onlus',
};

/** Acronyms that contain vowels (consonant-only ones are kept upper case anyway). */
const ACRONYMS = new Set([
  'RSA', 'IRCCS', 'INI', 'IDO', 'ASL', 'UILDM', 'AIRRI', 'AIAS', 'ANFFAS', 'UNITALSI', 'CEIS', 'AIVA',
  'TAC', 'RM', 'RMN', 'ECG', 'ORL', 'UVA', 'ADI', 'USI', 'IFO', 'IDI', 'EUR', 'ISS', 'UE', 'USA', 'GRA',
]);

/** Words written in lower case even though the source has them in capitals. */
const FIXED: Record<string, string> = { KM: 'km', DR: 'Dr' };

const ROMAN = /^(?=[IVXLC]{2,}$)C{0,3}(XC|XL|L?X{0,3})(IX|IV|V?I{0,3})$/;
const ACCENTED: Record<string, string> = { a: 'à', e: 'è', i: 'ì', o: 'ò', u: 'ù' };
const VOWELS = /[aeiouàèéìòù]/i;

export interface TitleCaseOptions {
  /** Spell legal forms (SRL, S.P.A., ...) the usual way. Off for addresses, where "SNC" means "senza numero civico". */
  legalForms?: boolean;
}

const upperFirst = (s: string): string => (s === '' ? s : s.charAt(0).toUpperCase() + s.slice(1));

/** One run of letters (a word between separators). */
/** `alone`: the word is a whole token (not "A" of "1/A-B"). */
function caseWord(word: string, first: boolean, opts: TitleCaseOptions, alone = false): string {
  const letters = word.replace(/[^\p{L}]/gu, '');
  if (letters === '') return word;
  const upper = letters.toUpperCase();
  if (letters !== upper) return word; // mixed case in the source: keep as written
  if (opts.legalForms && LEGAL_FORMS[upper] && /^[\p{L}.]+$/u.test(word)) return LEGAL_FORMS[upper];
  if (opts.legalForms === false && upper === 'SNC') return 'snc';
  if (FIXED[upper]) return word.replace(letters, FIXED[upper]);
  // Initialisms written with dots: "E.C.A.S.S.", "C.A.M.E.S.", "S.S.".
  if (/^(\p{L}\.){2,}\p{L}?\.?$/u.test(word)) return word;
  // One initial glued to a name: "S.ANTONIO" -> "S.Antonio" (but "P.ZZA" -> "P.zza", "C.SO" -> "C.so").
  const initial = /^(\p{L}\.)(\p{L}{4,})$/u.exec(word);
  if (initial && (initial[2]?.match(/[AEIOU]/g)?.length ?? 0) >= 2) return (initial[1] ?? '') + upperFirst((initial[2] ?? '').toLowerCase());
  // Initialisms glued to a word: "S.R.T.R.ESTENSIVA" -> "S.R.T.R.Estensiva".
  const glued = /^((?:\p{L}\.){2,})(\p{L}{2,}.*)$/u.exec(word);
  if (glued) return (glued[1] ?? '') + upperFirst(caseWord(glued[2] ?? '', true, opts));
  // The conjunction "e" and the preposition "a" ("ROSSI E C.", "CASA A MARE"), not initials ("A.").
  if (!first && alone && letters.length === 1 && word === letters && LOWER_WORDS.has(word.toLowerCase())) return word.toLowerCase();
  if (ACRONYMS.has(upper) || ROMAN.test(upper)) return word;
  // Codes keep their capitals ("66MP", "R1", "20PL"); a word with a number glued on does not ("FLAMINIO9").
  if (/\p{N}/u.test(word) && (letters.length < 4 || !VOWELS.test(letters))) return word;
  if (letters.length === 1) return word; // initials ("G.", "V")
  if (letters.length <= 4 && !VOWELS.test(letters)) return word; // "RX", "FKT", "SRTR"
  const lower = word.toLowerCase();
  if (!first && LOWER_WORDS.has(lower)) return lower;
  // Abbreviations keep their dot in lower case after the first letter: "DOTT.SSA" -> "Dott.ssa".
  return upperFirst(lower);
}

/**
 * Title case for Italian names and addresses written all in capitals. Text that is already
 * in mixed case word by word ("via giovanni barracco, 11" is not: it is all lower case) is
 * left as it is, except that all-lower-case words get capitalised like upper-case ones.
 */
export function titleCaseIt(input: string, opts: TitleCaseOptions = {}): string {
  const tokens = input.replace(/\s+/g, ' ').trim().split(' ');
  return tokens.map((token, index) => caseToken(token, index === 0, opts)).join(' ');
}

const SEPARATOR = /([-/'’"()[\]+*&,;:])/u;

function caseToken(token: string, firstToken: boolean, opts: TitleCaseOptions): string {
  // An all-lower-case token is treated like an all-upper-case one.
  const source = token === token.toLowerCase() ? token.toUpperCase() : token;
  // Final vowel + apostrophe is how capitals write an accent: "CITTA'" -> "CITTÀ".
  const accented = source.replace(/([AEIOU])['’]([)",.;:]*)$/u, (_m, v: string, tail: string) => (ACCENTED[v.toLowerCase()] ?? v).toUpperCase() + tail);
  // split() with a capturing group: words at even indices, separators at odd ones.
  const parts = accented.split(SEPARATOR);
  let seenWord = false;
  for (let i = 0; i < parts.length; i += 2) {
    const word = parts[i] ?? '';
    if (word === '') continue;
    const isFirst = firstToken && !seenWord;
    seenWord = true;
    const before = parts[i - 1] ?? '';
    const after = parts[i + 1] ?? '';
    const apostrophe = (s: string) => s === "'" || s === '’';
    if (apostrophe(after) && ELIDED_LOWER.has(word.toLowerCase())) {
      // Elided article or preposition: "DELL'" -> "dell'", "L'" at the start -> "L'".
      parts[i] = isFirst ? upperFirst(word.toLowerCase()) : word.toLowerCase();
      continue;
    }
    const cased = caseWord(word, isFirst, opts, parts.length === 1);
    // After an apostrophe a name starts again: "dell'Addolorata", "Sant'Anna".
    parts[i] = apostrophe(before) ? upperFirst(cased) : cased;
  }
  return parts.join('');
}

// Words that name a type of place, not a place: a site called only "POLIAMBULATORIO
// SPECIALISTICO" or "PRESIDIO 1" gets its company's name added.
const GENERIC_WORDS = new Set(['POLIAMBULATORIO', 'SPECIALISTICO', 'STRUTTURA', 'AMBULATORIALE', 'AMBULATORIO', 'CENTRO', 'PRESIDIO', 'SEDE', 'LABORATORIO', 'ANALISI', 'CLINICHE']);

/** True when a site name says what kind of place it is but not which one ("PRESIDIO 1/A-B-C"). */
export function isGenericSiteName(siteName: string): boolean {
  const words = siteName.toUpperCase().split(/[^\p{L}]+/u).filter((w) => w.length > 1);
  return words.length > 0 && words.every((w) => GENERIC_WORDS.has(w));
}

/**
 * A facility's display name: NOME PRESIDIO, or RAGIONE SOCIALE when that is empty. A
 * generic site name is followed by the company name: "Poliambulatorio Specialistico -
 * Analisi Cliniche Sciarra S.r.l.".
 */
export function facilityDisplayName(siteName: string, legalName: string): string {
  const site = siteName.trim();
  const legal = legalName.trim();
  let name = titleCaseIt(site !== '' ? site : legal, { legalForms: true });
  if (site !== '' && legal !== '' && isGenericSiteName(site)) {
    // "LABORATORIO" of "LABORATORIO ANALISI CAVOUR S.R.L.": the company name alone says it all.
    const legalName = titleCaseIt(legal, { legalForms: true });
    name = legal.toUpperCase().includes(site.toUpperCase()) ? legalName : `${name} - ${legalName}`;
  }
  return name.slice(0, 200).trim();
}

/** The street address; the comune goes to the city field, so a trailing repetition of it is dropped. */
export function facilityAddress(address: string, comune: string): string {
  const city = facilityCity(comune);
  const street = titleCaseIt(address, { legalForms: false })
    .replace(new RegExp(`[\\s,]+${escapeRegExp(city)}$`, 'iu'), '')
    .replace(/[\s,]+$/u, '');
  return (street === '' ? city : street).slice(0, 300).trim();
}

export function facilityCity(comune: string): string {
  return titleCaseIt(comune, { legalForms: false }).slice(0, 120).trim();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
