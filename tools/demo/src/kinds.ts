// What kind of facility a row is, guessed from its name: the source has no type column,
// only names such as "LABORATORIO ANALISI ...", "STUDIO RADIOLOGICO ...", "RSA ...". The
// guess decides which demo offerings a facility gets (plan.ts). It is a heuristic made for
// demo data, and says where it came from (`source`, `matched`).

/** Kinds that get bookable demo offerings. */
export type BookableKind = 'laboratory' | 'imaging' | 'rehabilitation' | 'outpatient';
/**
 * Kinds that get none: residential care (RSA, hospices, therapeutic communities, psychiatric
 * residences, day centres) admits people through the ASL's assessment, dialysis is a
 * standing treatment schedule run by the nephrology centre, and thermal cures are not in the
 * outpatient catalogue. None of them is a slot a patient books on a marketplace.
 */
export type NonBookableKind = 'residential' | 'dialysis' | 'thermal';
export type FacilityKind = BookableKind | NonBookableKind;

/** Specialties a name can point at ("CARDIOLOGIA CAPITOLINA", "STUDIO ODONTOIATRICO"). */
export type Focus =
  | 'cardiology'
  | 'ophthalmology'
  | 'dermatology'
  | 'orthopedics'
  | 'ent'
  | 'endocrinology'
  | 'gastroenterology'
  | 'neurology'
  | 'urology'
  | 'gynecology'
  | 'pneumology'
  | 'dentistry'
  | 'speech';

export interface KindGuess {
  /** Bookable kinds, in a fixed order; empty when the facility gets no offerings. */
  kinds: BookableKind[];
  /** Non-bookable kinds seen in the name. */
  other: NonBookableKind[];
  focus: Focus[];
  /** Many specialties under one roof (poliambulatorio, casa di cura, hospital). */
  multiSpecialty: boolean;
  /** Where the guess came from: the site name, the company name, or nothing matched. */
  source: 'name' | 'legal-name' | 'default';
  /** The rules that matched, for reports: e.g. ["laboratory: LABORATORIO"]. */
  matched: string[];
}

interface Rule<K> {
  kind: K;
  pattern: RegExp;
}

// Patterns run on the upper-case, accent-free name. Word starts (\b) matter: "LAB" must not
// match "LABICO" (a comune), but "MARILAB" and "CER.LAB." are laboratories.
const BOOKABLE: Rule<BookableKind | 'generic-outpatient'>[] = [
  { kind: 'laboratory', pattern: /LABORATOR|\bLAB\b|\bLAB(?:O|ANALISI)|\w+LAB\b|\bANALIS[IT]|PATOLOGIA CLINICA|CHIMIC[OA]? CLINIC|MICROBIOLOG|\bEMATOLOGIC|\bEMOLAB|\bBIO(?!MEDIC)|PRELIEV/ },
  { kind: 'imaging', pattern: /RADIOL|RADIODIAGNOS|\bRADIO\w*|DIAGNOSTI[CK]|IMAGING|IMMAGINI|\bRX\b|ECOGRAF|\bECORAD|RISONANZA|\bTAC\b|\bRMN?\b|MAMMOGRAF|STRUMENTALE|\bDIAGNOSI|MEDICINA NUCLEARE/ },
  { kind: 'rehabilitation', pattern: /FISIOKINESI|\bF\.?K\.?T\.?\b|RIABILIT|\bFISIO|MEDICINA FISICA|TERAPIA FISICA|KINESI|CHINESI|RECUPERO FUNZIONALE|RIEDUCAZ|FISIATR|ORTOFONOLOG|LOGOPED|AUDIOFONOLOG|BALBUZIE|CHIROTERAP/ },
  { kind: 'outpatient', pattern: /POLIAMBULATOR|\bPOL\.?RIO|POLISPECIALIST|\bPOLISP|CASA DI CURA|\bCLINICA\b|POLICLINIC|CENTRO MEDICO|STUDIO MEDICO|\bMEDICAL\b|MEDIC(?:A|O|AL)\b|\bAMBULATORI\b|SPECIALISTIC|OSPEDAL|HOSPITAL|\bIRCCS\b|CHECK-?UP|CONSULTORIO/ },
  // "STRUTTURA AMBULATORIALE", "CENTRO AMBULATORIALE", "AMBULATORIO": outpatient, unless the
  // name also says residential or dialysis ("CENTRO DIALISI AMBULATORIALE").
  { kind: 'generic-outpatient', pattern: /AMBULATORIAL|AMBULATORIO/ },
];

const NON_BOOKABLE: Rule<NonBookableKind>[] = [
  { kind: 'dialysis', pattern: /DIALISI|DIALITIC|NEFRO|NEPHRO|DIAVERUM/ },
  {
    kind: 'residential',
    pattern:
      /\bR\.?S\.?A\b|RESIDENZ|HOSPICE|COMUNITA|PSICHIATRI|\bS\.?R\.?T\.?R|\bS\.?R\.?S\.?R|CASA FAMIGLIA|CENTRO DIURNO|ART\.? ?26|CASA DI RIPOSO|CASA DEI NONNI|SEMIRESID|DISABIL|DIPENDENZ|TOSSICODIP|LUNGODEGENZ|POST ACUZIE|\bTERAPEUTIC|PSICOTERAPEUTIC|ONLUS|O\.N\.L\.U\.S|COOPERATIVA SOCIALE|COOP\.? SOC|ASSOCIAZIONE|CONGREGAZIONE|RELIGIOS|SUORE|\bCE\.?I\.?S\b/,
  },
  { kind: 'thermal', pattern: /\bTERME\b|TERMAL/ },
];

const FOCUS: Rule<Focus>[] = [
  { kind: 'cardiology', pattern: /CARDIO/ },
  { kind: 'ophthalmology', pattern: /OCULIST|OFTALM|\bOTTIC/ },
  { kind: 'dermatology', pattern: /DERMATOLOG/ },
  { kind: 'orthopedics', pattern: /ORTOPEDIC/ },
  { kind: 'ent', pattern: /OTORINO|\bORL\b/ },
  { kind: 'endocrinology', pattern: /ENDOCRIN|DIABETOLOG/ },
  { kind: 'gastroenterology', pattern: /GASTROENTER/ },
  { kind: 'neurology', pattern: /NEUROLOG/ },
  { kind: 'urology', pattern: /\bUROLOG|ANDROLOG/ },
  { kind: 'gynecology', pattern: /GINECOLOG|OSTETRIC|CONSULTORIO/ },
  { kind: 'pneumology', pattern: /PNEUMOLOG/ },
  { kind: 'dentistry', pattern: /ODONTO|DENTIST|DENTAL/ },
  { kind: 'speech', pattern: /ORTOFONOLOG|LOGOPED|AUDIOFONOLOG|BALBUZIE/ },
];

const MULTI_SPECIALTY = /POLIAMBULATOR|\bPOL\.?RIO|POLISPECIALIST|\bPOLISP|CASA DI CURA|POLICLINIC|OSPEDAL|HOSPITAL|\bIRCCS\b|\bCLINICA\b|\bAMBULATORI\b/;

const BOOKABLE_ORDER: BookableKind[] = ['laboratory', 'imaging', 'rehabilitation', 'outpatient'];

/** Upper case without accents: "COMUNITÀ" -> "COMUNITA". */
export function foldName(s: string): string {
  return s.normalize('NFD').replace(/\p{M}+/gu, '').toUpperCase().replace(/\s+/g, ' ').trim();
}

function matchName(name: string): Omit<KindGuess, 'source'> | null {
  const text = foldName(name);
  const matched: string[] = [];
  const hit = <K extends string>(rule: Rule<K>): boolean => {
    const m = rule.pattern.exec(text);
    if (m) matched.push(`${rule.kind}: ${m[0].trim()}`);
    return m !== null;
  };
  const bookable = new Set(BOOKABLE.filter(hit).map((r) => r.kind));
  const other = NON_BOOKABLE.filter(hit).map((r) => r.kind);
  const focus = FOCUS.filter(hit).map((r) => r.kind);
  if (bookable.size === 0 && other.length === 0 && focus.length === 0) return null;

  const generic = bookable.delete('generic-outpatient');
  const kinds = new Set(bookable as Set<BookableKind>);
  // A specialty in the name without a kind ("DR. ... CARDIOLOGO", "STUDIO ODONTOIATRICO"): visits.
  if (focus.some((f) => f !== 'speech') && kinds.size === 0) kinds.add('outpatient');
  if (focus.includes('speech')) kinds.add('rehabilitation');
  if (generic && other.length === 0 && kinds.size === 0) kinds.add('outpatient');
  // Residential places that rehabilitate ("COMUNITA' TERAPEUTICO RIABILITATIVA", "CENTRO
  // RIABILITAZIONE EX ART. 26", associations and social cooperatives running rehabilitation
  // centres) are residential: rehabilitation alone does not make them bookable.
  if (other.includes('residential') && kinds.size === 1 && kinds.has('rehabilitation')) kinds.delete('rehabilitation');

  return {
    kinds: BOOKABLE_ORDER.filter((k) => kinds.has(k)),
    other,
    focus,
    multiSpecialty: MULTI_SPECIALTY.test(text),
    matched,
  };
}

/**
 * The kinds of a facility from NOME PRESIDIO, else from RAGIONE SOCIALE, else a default:
 * an accredited outpatient structure with a plain company name ("ALPA 83 S.R.L.") gets a
 * couple of common specialist visits (source `default`).
 */
export function guessKinds(siteName: string, legalName: string): KindGuess {
  const byName = matchName(siteName);
  if (byName) return { ...byName, source: 'name' };
  const byLegalName = matchName(legalName);
  if (byLegalName) return { ...byLegalName, source: 'legal-name' };
  return { kinds: ['outpatient'], other: [], focus: [], multiSpecialty: false, source: 'default', matched: [] };
}
