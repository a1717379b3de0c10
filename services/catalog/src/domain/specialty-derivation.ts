// Derived specialty of a catalogue service.
//
// The national catalogue has no specialty column, so the outpatient branch of a service
// is derived from the words of its description and from its code, by an ordered rule
// table (first match wins). The result says how it was derived, so the API can show it as
// derived and never as an official attribute. A service no rule matches gets no specialty
// (never a silent "26 Altro"). See docs/adr/0004-derived-specialties.md.
//
// - Keyword rules match the title of the description (its first sentence without the
//   appended "Incluso:/Escluso:/Non associabile" notes, see descriptionTitle()), folded to
//   accent-free upper-case words. A keyword is a sequence of word stems: "CARDIOLOG"
//   matches "CARDIOLOGICA"; a stem ending in "$" must be the whole word ("PET$"). Stems
//   match at the start of a word only, so "CHEMIOTERAP" does not match "FOTOCHEMIOTERAPIA".
//   A keyword rule may be limited to codes with given prefixes.
// - Code-prefix rules use the structure of the code system (ICD-9-CM chapters: 08-16 eye,
//   87-88 diagnostic radiology, 90-91 laboratory, 93 rehabilitation, ...).
// - Rules name their branch by words of its name ("cardiologia", "radiologia diagnostica");
//   the branch code is looked up in the parsed specialty file, so no branch code is
//   hard-coded. A rule whose branch is not in the file is inactive and reported.
//
// Order: a few code-prefix rules for chapters that are unambiguous whatever their words say
// (laboratory, nuclear medicine, radiotherapy), then keyword rules that must beat the
// radiology chapter (cardiac and obstetric ultrasound), the radiology chapter, then keyword
// rules from the most to the least specific, then chapter fallbacks.
import { OUTPATIENT_BRANCH, type SpecialtyRecord } from './csv-sources.ts';
import { descriptionTitle, foldUpper, normalizeText } from './text.ts';

export type DerivationKind = 'keyword' | 'code-prefix';

export type RuleMatch =
  | { kind: 'keyword'; keywords: readonly string[]; withinCodes?: readonly string[] }
  | { kind: 'code-prefix'; prefixes: readonly string[] };

export interface DerivationRule {
  /** Stable id, shown in the derivation ("cardiology", "chapter-eye"). */
  id: string;
  /** Words of the outpatient branch's name, matched against the specialty file. */
  branch: string;
  match: RuleMatch;
}

export interface DerivedSpecialty {
  /** Outpatient branch code from the specialty file, or null when no rule matched. */
  specialtyCode: string | null;
  specialtyName: string | null;
  derivation: DerivationKind | null;
  /** Which rule and what matched, e.g. `cardiology: keyword "ECOCARDIO"`, `chapter-radiology: code 88.`; "unmatched" when none. */
  rule: string;
}

export interface ServiceToClassify {
  code: string;
  description: string;
}

const kw = (id: string, branch: string, keywords: readonly string[], withinCodes?: readonly string[]): DerivationRule => ({
  id,
  branch,
  match: withinCodes ? { kind: 'keyword', keywords, withinCodes } : { kind: 'keyword', keywords },
});
const prefix = (id: string, branch: string, prefixes: readonly string[]): DerivationRule => ({
  id,
  branch,
  match: { kind: 'code-prefix', prefixes },
});

const ANESTESIA = 'anestesia';
const CARDIOLOGIA = 'cardiologia';
const CHIRURGIA_GENERALE = 'chirurgia generale';
const CHIRURGIA_PLASTICA = 'chirurgia plastica';
const CHIRURGIA_VASCOLARE = 'chirurgia vascolare';
const DERMATOLOGIA = 'dermosifilopatia';
const MEDICINA_NUCLEARE = 'medicina nucleare';
const RADIOLOGIA = 'radiologia diagnostica';
const ENDOCRINOLOGIA = 'endocrinologia';
const GASTROENTEROLOGIA = 'gastroenterologia';
const LABORATORIO = 'lab analisi';
const RIABILITAZIONE = 'medicina fisica e riabilitazione';
const NEFROLOGIA = 'nefrologia';
const NEUROCHIRURGIA = 'neurochirurgia';
const NEUROLOGIA = 'neurologia';
const OCULISTICA = 'oculistica';
const ODONTOIATRIA = 'odontostomatologia';
const ONCOLOGIA = 'oncologia';
const ORTOPEDIA = 'ortopedia';
const GINECOLOGIA = 'ostetricia e ginecologia';
const ORL = 'otorinolaringoiatria';
const PNEUMOLOGIA = 'pneumologia';
const PSICHIATRIA = 'psichiatria';
const RADIOTERAPIA = 'radioterapia';
const UROLOGIA = 'urologia';

/** The rule table, in order; the first rule that matches decides. */
export const DERIVATION_RULES: readonly DerivationRule[] = [
  // Chapters that decide regardless of words.
  prefix('allergy-tests', DERMATOLOGIA, ['91.90.']), // skin and provocation tests; the nomenclator pairs allergology with dermatology ("VISITA DERMATOLOGICA/ALLERGOLOGICA")
  prefix('chapter-laboratory', LABORATORIO, ['90.', '91.', 'G']), // laboratory, pathology, genetic tests
  prefix('chapter-nuclear-medicine', MEDICINA_NUCLEARE, ['92.0', '92.1', '92.28']),
  prefix('chapter-radiotherapy', RADIOTERAPIA, ['92.2', '92.4']),
  // Ultrasound that belongs to a clinical branch rather than to radiology.
  kw('cardiac-ultrasound', CARDIOLOGIA, ['ECOCARDIO', 'DOPPLERGRAFIA CARDIAC', 'ECODOPPLERGRAFIA CARDIAC', 'ECOCOLORDOPPLERGRAFIA CARDIAC']),
  kw('obstetric-ultrasound', GINECOLOGIA, ['ECOGRAFIA OSTETRIC', 'ECOGRAFIA GINECOLOG', 'CICLO OVULATORIO', 'FETOPLACENTAR']),
  prefix('obstetric-ultrasound-codes', GINECOLOGIA, ['88.78']),
  prefix('chapter-radiology', RADIOLOGIA, ['87.', '88.']),
  // Keyword rules, most specific first.
  kw('nuclear-medicine', MEDICINA_NUCLEARE, ['MEDICINA NUCLEARE', 'SCINTIGRAF', 'PET$', 'SPET$']),
  kw('radiotherapy', RADIOTERAPIA, ['RADIOTERAP']),
  kw('interventional-radiology', RADIOLOGIA, ['RADIOLOGIA INTERVENTISTICA']),
  kw('genetics', LABORATORIO, ['GENETIC']),
  kw('transfusion', LABORATORIO, ['TRASFUS', 'EMOCOMPONENT', 'AFERESI', 'PLASMAFERESI', 'LEUCOAFERESI', 'ERITROAFERESI', 'PIASTRINOAFERESI', 'SALASSO', 'FATTORI DELLA COAGULAZIONE', 'IMMUNOGLOBULINE ENDOVENA']),
  kw('urology', UROLOGIA, ['UROLOG', 'ANDROLOG', 'URODINAMIC', 'UROFLUSSOMETR', 'CATETERISMO VESCICALE', 'ENDOVESCICAL', 'INDURATIO PENIS', 'ENDOCAVERNOS', 'IDROCELE', 'LITOTRIPSIA EXTRACORPOREA', 'PIELOSTOM', 'NEFROSTOM', 'SCROTO', 'PENE$']),
  kw('rehabilitation', RIABILITAZIONE, ['MEDICINA FISICA', 'FISIATR', 'RIABILITAZ', 'RIEDUCAZ', 'VALUTAZIONE FUNZIONALE', 'VALUTAZIONE MONOFUNZIONALE', 'MASSOTERAP', 'ELETTROTERAP', 'ONDE D URTO', 'ORTESI', 'GAIT ANALYSIS', 'POSTUROGRAF', 'STABILOMETR']),
  kw('anesthesia-pain', ANESTESIA, ['ANESTESIOLOG', 'ALGOLOG', 'ANALGES', 'ANESTETIC', 'TERAPIA DEL DOLORE', 'NEUROLITIC', 'SEDAZIONE', 'AGOPUNTURA', 'BLOCCO']),
  kw('nephrology', NEFROLOGIA, ['NEFROLOG', 'DIALISI$', 'DIALITIC', 'EMODIALISI', 'EMODIAFILTRAZ', 'EMOFILTRAZ', 'ULTRAFILTRAZ', 'FISTOLA ARTEROVENOSA', 'FISTOLA PERIFERICA ARTEROVENOSA', 'FISTOLA PROSSIMALE ARTEROVENOSA', 'CATETERE PERITONEALE', 'EQUILIBRAZIONE PERITONEALE']),
  kw('endocrinology', ENDOCRINOLOGIA, ['ENDOCRINOLOG', 'GLICEMI', 'DIABET', 'TIROIDE', 'TIROIDEA', 'TIROIDEI', 'SOSTANZE ORMONALI', 'BIOIMPEDENZIOMETR', 'PLICOMETR']),
  kw('oncology', ONCOLOGIA, ['ONCOLOG', 'ANTITUMORAL', 'CHEMIOTERAP', 'ANTIBLASTIC', 'CITOTOSSIC']),
  kw('cardiology', CARDIOLOGIA, ['CARDIOLOG', 'ELETTROCARDIO', 'CARDIOVASCOLAR', 'CARDIOPOLMONAR', 'PACE MAKER', 'PACEMAKER', 'DEFIBRILLATOR', 'LOOP RECORDER', 'HOLTER', 'PRESSIONE ARTERIOSA', 'TILT TEST', 'ARITMI']),
  kw('pneumology', PNEUMOLOGIA, ['PNEUMOLOG', 'SPIROMETR', 'BRONC', 'POLMONAR', 'POLMONI', 'RESPIRATORI', 'RESPIRAZIONE', 'CARDIORESPIRATORI', 'VENTILAZIONE', 'VENTILATORI', 'EMOGASANALISI', 'PULSOSSIMETR', 'SATURAZIONE', 'OSSIDO NITRICO', 'ALVEOLO CAPILLARE', 'RESISTENZE DELLE VIE AEREE', 'TORACENTESI', 'PLEURA', 'PLEURIC', 'ASMATIC', 'PO2$', 'O2$']),
  kw('gastroenterology', GASTROENTEROLOGIA, ['GASTROENTEROLOG', 'EGDS$', 'ESOFAG', 'PERENDOSCOP', 'COLONSCOP', 'RETTOSIGMOIDOSCOP', 'ENTEROSCOP', 'ECOENDOSCOP', 'BREATH TEST', 'HELICOBACTER', 'ANO RETT', 'ANO$', 'RETTALE', 'FECALOMA', 'EMORROID', 'NASO GASTRICO', 'TUBO DIGERENTE']),
  kw('angiology-vascular', CHIRURGIA_VASCOLARE, ['ANGIOLOG', 'CHIRURGICA VASCOLARE', 'CHIRURGIA VASCOLARE', 'VARICI$', 'VARICE$', 'VARICOSE$', 'VARICECTOMIA', 'VARICOFLEBIT', 'TROMBOFLEBIT', 'SAFEN', 'FLEBOGUIDAT', 'SCLEROSANT', 'CAPILLAROSCOP', 'PLETISMOGRAFIA DEGLI ARTI', 'INDICE PRESSORIO', 'VASI SANGUIGNI', 'VENA$', 'VENE$']),
  kw('ophthalmology', OCULISTICA, ['OCULIST', 'OCULARE', 'OCULARI', 'OFTALM', 'OCCHIO', 'RETINIC', 'RETINA', 'CORNEA', 'CORNEAL', 'FUNDUS', 'CAMPO VISIVO', 'ORTOTTIC', 'GLAUCOM', 'IPOVEDENT', 'CIECO', 'PALPEBR', 'LACRIMAL', 'VISUS']),
  kw('ent', ORL, ['OTORINOLARING', 'ORL$', 'AUDIOLOG', 'FONIATR', 'AUDIOMETR', 'IMPEDENZOMETR', 'VESTIBOL', 'NISTAGM', 'ACUFENOMETR', 'COCLEAR', 'CERUME', 'RINOMANOMETR', 'GUSTOMETR', 'OLFATTOMETR', 'TRACHEOSTOM', 'EPISTASSI', 'LARING', 'FARING', 'ORECCHIO', 'OTOMICROSCOP', 'SENI NASALI', 'NASO$']),
  kw('neurology', NEUROLOGIA, ['NEUROLOG', 'ELETTROENCEFALOGR', 'EEG$', 'POTENZIALI EVOCATI', 'POLISONNOGRAF', 'POLIGRAFIA', 'NEUROFISIOLOG', 'ELETTROMIOGRAF', 'EMG$', 'CONDUZIONE NERVOSA', 'RISPOSTE RIFLESSE', 'STIMOLAZIONE RIPETITIVA', 'TETANIA', 'ISCHEMIA PROLUNGATA', 'LEVODOPA', 'TOSSINA BOTULINICA', 'SENSIBILITA VIBRATORIA']),
  kw('neurosurgery', NEUROCHIRURGIA, ['NEUROCHIRURG', 'NEUROSTIMOLATOR', 'DERIVAZIONI LIQUORALI']),
  kw('dentistry-maxillofacial', ODONTOIATRIA, ['ODONTO', 'DENTE$', 'DENTI$', 'DENTALE', 'DENTARI', 'ORTODONT', 'GENGIV', 'PARODONT', 'TARTARO', 'SIGILLATURA', 'CANALARE', 'IMPIANTI OSTEOINTEGRATI', 'SPLINTAGGIO', 'MANTENITORE DI SPAZIO', 'PROTESI RIMOVIBILE', 'MAXILL', 'TEMPOROMANDIBOLAR']),
  kw('obstetrics-gynaecology', GINECOLOGIA, ['GINECOLOG', 'OSTETRIC', 'PESSARIO', 'VAGIN', 'VULV', 'COLPOSCOP', 'ISTEROSCOP', 'PAP TEST', 'CARDIOTOCOGRAF', 'PRENATALE', 'AMNIOCENTESI', 'VERSIONE CEFALICA']),
  kw('plastic-surgery', CHIRURGIA_PLASTICA, ['CHIRURGICA PLASTICA', 'CHIRURGIA PLASTICA']),
  kw('plastic-surgery-skin', CHIRURGIA_PLASTICA, ['INNESTO', 'LEMBO', 'LEMBI', 'CICATRICE', 'SINDATTILIA', 'ONICOPLASTICA', 'TATUAGGIO'], ['86.']),
  kw('orthopaedics', ORTOPEDIA, ['ORTOPEDIC', 'GESSAT', 'GESSO', 'STECCA', 'SPLINT$', 'MINERVA', 'CORSETTO', 'TRAZIONI', 'ARTROCENTESI', 'CORREZIONI FORZATE', 'BENDAGGIO PER CLAVICOLA']),
  kw('general-surgery', CHIRURGIA_GENERALE, ['CHIRURGICA GENERALE', 'VISITA CHIRURGICA DI CONTROLLO', 'ERNIA', 'PILONIDAL', 'MEDICAZIONE', 'FERITA', 'CORPO ESTRANEO SUPERFICIALE', 'MAMMELL', 'MASTOTOMIA', 'DRENAGGIO PERITONEALE', 'STOMA ARTIFICIALE']),
  kw('dermatology', DERMATOLOGIA, ['DERMATOLOG', 'DERMOSIFILO', 'VIDEODERMATOSCOP', 'CUTE$', 'CUTANE', 'UNGHIA', 'UNGUEAL', 'DEPILAZIONE', 'CHELOIDE', 'LUCE ULTRAVIOLETTA', 'FOTOCHEMIOTERAP', 'ALLERG', 'DESENSIBILIZZAZ', 'IMENOTTERI']),
  kw('psychiatry', PSICHIATRIA, ['PSICHIATR', 'PSICOTERAP', 'PSICOLOG']),
  // Chapter fallbacks (ICD-9-CM procedure chapters of the code).
  prefix('respiratory-function-tests', PNEUMOLOGIA, ['89.37', '89.38']),
  prefix('chapter-nervous-system', NEUROCHIRURGIA, ['01.', '02.', '03.', '04.', '05.']),
  prefix('chapter-endocrine', ENDOCRINOLOGIA, ['06.', '07.']),
  prefix('chapter-eye', OCULISTICA, ['08.', '09.', '10.', '11.', '12.', '13.', '14.', '15.', '16.', '95.0', '95.1', '95.2', '95.3']),
  prefix('chapter-ear-nose-throat', ORL, ['18.', '19.', '20.', '21.', '22.', '28.', '29.', '30.', '31.', '95.4']),
  prefix('chapter-mouth-teeth', ODONTOIATRIA, ['23.', '24.', '25.', '26.', '27.', '76.']),
  prefix('chapter-respiratory', PNEUMOLOGIA, ['32.', '33.', '34.']),
  prefix('chapter-heart', CARDIOLOGIA, ['35.', '36.', '37.']),
  prefix('chapter-vessels', CHIRURGIA_VASCOLARE, ['38.', '39.']),
  prefix('chapter-lymphatic', CHIRURGIA_GENERALE, ['40.']),
  prefix('chapter-digestive', GASTROENTEROLOGIA, ['42.', '43.', '44.', '45.', '46.', '47.', '48.', '49.', '50.', '51.', '52.']),
  prefix('chapter-abdominal-wall', CHIRURGIA_GENERALE, ['53.', '54.']),
  prefix('chapter-urinary-male-genital', UROLOGIA, ['55.', '56.', '57.', '58.', '59.', '60.', '61.', '62.', '63.', '64.']),
  prefix('chapter-female-genital-obstetric', GINECOLOGIA, ['65.', '66.', '67.', '68.', '69.', '70.', '71.', '72.', '73.', '74.', '75.']),
  prefix('chapter-musculoskeletal', ORTOPEDIA, ['77.', '78.', '79.', '80.', '81.', '82.', '83.', '84.']),
  prefix('chapter-breast', CHIRURGIA_GENERALE, ['85.']),
  prefix('chapter-skin', DERMATOLOGIA, ['86.']),
  prefix('chapter-rehabilitation', RIABILITAZIONE, ['93.']),
  prefix('chapter-psychiatry', PSICHIATRIA, ['94.']),
];

interface CompiledRule {
  rule: DerivationRule;
  branch: SpecialtyRecord;
  keywords: { keyword: string; re: RegExp }[];
}

export interface UnresolvedRule {
  id: string;
  branch: string;
  /** Outpatient branches whose name matched (none, or more than one). */
  candidates: string[];
}

export interface SpecialtyDeriver {
  derive(service: ServiceToClassify): DerivedSpecialty;
  /** Rules switched off because their branch is missing (or ambiguous) in the specialty file. */
  unresolved: UnresolvedRule[];
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Compiles a keyword ("DOPPLERGRAFIA CARDIAC", "PET$") to a regex over foldUpper() text. */
export function keywordPattern(keyword: string): RegExp {
  const words = foldKeyword(keyword).map((w) =>
    w.endsWith('$') ? `${escapeRe(w.slice(0, -1))}(?= |$)` : `${escapeRe(w)}[^ ]*`,
  );
  return new RegExp(`(?:^| )${words.join(' ')}`);
}

function foldKeyword(keyword: string): string[] {
  // Keep the "$" markers, fold the rest like the text it is matched against.
  return keyword
    .trim()
    .split(/\s+/)
    .map((w) => (w.endsWith('$') ? `${foldUpper(w.slice(0, -1))}$` : foldUpper(w)))
    .flatMap((w) => w.split(' '))
    .filter((w) => w !== '' && w !== '$');
}

/** Whether the words `phrase` occur, in order, as whole words of a branch name. */
function nameContains(name: string, phrase: string): boolean {
  return ` ${normalizeText(name)} `.includes(` ${normalizeText(phrase)} `);
}

/**
 * Builds the deriver for a specialty list (the parsed specialty file; only outpatient
 * branches are targets). `rules` defaults to DERIVATION_RULES.
 */
export function createSpecialtyDeriver(
  specialties: readonly SpecialtyRecord[],
  rules: readonly DerivationRule[] = DERIVATION_RULES,
): SpecialtyDeriver {
  const branches = specialties.filter((s) => s.system === OUTPATIENT_BRANCH);
  const compiled: CompiledRule[] = [];
  const unresolved: UnresolvedRule[] = [];
  for (const rule of rules) {
    const candidates = branches.filter((b) => nameContains(b.name, rule.branch));
    const branch = candidates[0];
    if (candidates.length !== 1 || !branch) {
      unresolved.push({ id: rule.id, branch: rule.branch, candidates: candidates.map((c) => `${c.code} ${c.name}`) });
      continue;
    }
    const keywords = rule.match.kind === 'keyword' ? rule.match.keywords.map((k) => ({ keyword: k, re: keywordPattern(k) })) : [];
    compiled.push({ rule, branch, keywords });
  }

  function derive(service: ServiceToClassify): DerivedSpecialty {
    const title = foldUpper(descriptionTitle(service.description));
    for (const { rule, branch, keywords } of compiled) {
      const m = rule.match;
      if (m.kind === 'code-prefix') {
        const p = m.prefixes.find((x) => service.code.startsWith(x));
        if (p !== undefined) {
          return { specialtyCode: branch.code, specialtyName: branch.name, derivation: 'code-prefix', rule: `${rule.id}: code ${p}` };
        }
        continue;
      }
      if (m.withinCodes && !m.withinCodes.some((x) => service.code.startsWith(x))) continue;
      const hit = keywords.find((k) => k.re.test(title));
      if (hit) {
        return { specialtyCode: branch.code, specialtyName: branch.name, derivation: 'keyword', rule: `${rule.id}: keyword "${hit.keyword}"` };
      }
    }
    return { specialtyCode: null, specialtyName: null, derivation: null, rule: 'unmatched' };
  }

  return { derive, unresolved };
}
