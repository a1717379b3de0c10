// Specialties and catalogue services: the import's upserts and the catalogue reads.
//
// The import sends each table as a handful of array parameters and upserts them with one
// INSERT ... SELECT FROM unnest(...) ON CONFLICT statement: 2,108 services in one round
// trip, inside one transaction that holds an advisory lock.
import { sql, type SQL } from 'drizzle-orm';
import { uuidv7 } from 'uuidv7';
import type { Catalogue } from '../domain/catalogue.ts';
import type {
  ApplyResult,
  CatalogueImportStore,
  CatalogueImportTx,
  CatalogueReader,
  ImportRecord,
  Page,
  ServicePosition,
  ServiceQuery,
  ServiceRow,
  SpecialtyRow,
} from '../domain/ports.ts';
import { OUTPATIENT_BRANCH } from '../domain/csv-sources.ts';
import { normalizeText } from '../domain/text.ts';
import type { Executor } from './executor.ts';
import { and, arrayParam, offeringSearchText, prefixQuery } from './sql-helpers.ts';

/** One lock for every replica: imports never run side by side. */
const IMPORT_LOCK = sql`hashtextextended('healthmatch:catalog:import', 0)`;

interface UpsertCounts {
  inserted: number;
  updated: number;
}

async function rows<T>(db: Executor, query: SQL): Promise<T[]> {
  const res = await db.execute(query);
  return res.rows as T[];
}

async function upsertSpecialties(db: Executor, catalogue: Catalogue): Promise<ApplyResult['specialties']> {
  const all = [...catalogue.specialties, ...catalogue.hospitalDisciplines];
  const [counts] = await rows<UpsertCounts>(
    db,
    sql`with input as (
          select * from unnest(
            ${arrayParam(all.map(() => uuidv7()))}::uuid[], ${arrayParam(all.map((s) => s.system))}::text[],
            ${arrayParam(all.map((s) => s.code))}::text[], ${arrayParam(all.map((s) => s.name))}::text[],
            ${arrayParam(all.map((s) => s.definition))}::text[]
          ) as u(id, system, code, name, definition)
        ), upserted as (
          insert into specialties as t (id, system, code, name, definition)
          select id, system, code, name, definition from input
          on conflict (system, code) do update
            set name = excluded.name, definition = excluded.definition, retired_at = null, updated_at = now()
            where (t.name, t.definition, t.retired_at) is distinct from (excluded.name, excluded.definition, null::timestamptz)
          returning (xmax = 0) as inserted
        )
        select (count(*) filter (where inserted))::int as inserted, (count(*) filter (where not inserted))::int as updated from upserted`,
  );
  const retired = await db.execute(
    sql`update specialties set retired_at = now(), updated_at = now()
        where retired_at is null
          and (system, code) not in (select * from unnest(${arrayParam(all.map((s) => s.system))}::text[], ${arrayParam(all.map((s) => s.code))}::text[]))`,
  );
  return { inserted: counts?.inserted ?? 0, updated: counts?.updated ?? 0, retired: retired.rowCount ?? 0 };
}

async function upsertServices(db: Executor, catalogue: Catalogue): Promise<ApplyResult['services']> {
  const all = catalogue.services;
  const col = <T>(f: (s: (typeof all)[number]) => T) => arrayParam(all.map(f));
  const [counts] = await rows<UpsertCounts>(
    db,
    sql`with input as (
          select u.id, u.code, u.description, u.clean_description, u.name, u.search_text, u.name_text, sp.id as specialty_id,
                 case when sp.id is null then null else u.specialty_derivation end as specialty_derivation, u.specialty_rule
          from unnest(
            ${col(() => uuidv7())}::uuid[], ${col((s) => s.code)}::text[], ${col((s) => s.description)}::text[],
            ${col((s) => s.cleanDescription)}::text[], ${col((s) => s.name)}::text[], ${col((s) => s.searchText)}::text[],
            ${col((s) => normalizeText(s.name))}::text[], ${col((s) => s.specialty.specialtyCode)}::text[],
            ${col((s) => s.specialty.derivation)}::text[], ${col((s) => s.specialty.rule)}::text[]
          ) as u(id, code, description, clean_description, name, search_text, name_text, specialty_code, specialty_derivation, specialty_rule)
          left join specialties sp on sp.system = ${OUTPATIENT_BRANCH} and sp.code = u.specialty_code
        ), upserted as (
          insert into services as t (id, code, description, clean_description, name, search_text, name_text, specialty_id, specialty_derivation, specialty_rule)
          select id, code, description, clean_description, name, search_text, name_text, specialty_id, specialty_derivation, specialty_rule from input
          on conflict (code) do update
            set description = excluded.description, clean_description = excluded.clean_description, name = excluded.name,
                search_text = excluded.search_text, name_text = excluded.name_text, specialty_id = excluded.specialty_id,
                specialty_derivation = excluded.specialty_derivation, specialty_rule = excluded.specialty_rule,
                retired_at = null, updated_at = now()
            where (t.description, t.clean_description, t.name, t.search_text, t.name_text, t.specialty_id, t.specialty_derivation, t.specialty_rule, t.retired_at)
                  is distinct from
                  (excluded.description, excluded.clean_description, excluded.name, excluded.search_text, excluded.name_text,
                   excluded.specialty_id, excluded.specialty_derivation, excluded.specialty_rule, null::timestamptz)
          returning (xmax = 0) as inserted
        )
        select (count(*) filter (where inserted))::int as inserted, (count(*) filter (where not inserted))::int as updated from upserted`,
  );
  const retired = await db.execute(
    sql`update services set retired_at = now(), updated_at = now()
        where retired_at is null and code <> all(${col((s) => s.code)}::text[])`,
  );
  const inserted = counts?.inserted ?? 0;
  const updated = counts?.updated ?? 0;
  return { inserted, updated, unchanged: all.length - inserted - updated, retired: retired.rowCount ?? 0 };
}

/** Offerings carry their service's search words; refresh those whose service's words changed. */
async function refreshOfferingWords(db: Executor): Promise<number> {
  const words = offeringSearchText(sql`s.search_text`, sql`o.provider_text`);
  const res = await db.execute(
    sql`update offerings o set search_text = ${words}
        from services s
        where s.id = o.service_id and o.search_text is distinct from ${words}`,
  );
  return res.rowCount ?? 0;
}

function importTx(db: Executor): CatalogueImportTx {
  return {
    async lastContentChecksum() {
      const [last] = await rows<{ content_checksum: string }>(db, sql`select content_checksum from catalogue_imports order by imported_at desc, id desc limit 1`);
      return last?.content_checksum ?? null;
    },
    async countServices() {
      const [r] = await rows<{ n: number }>(db, sql`select count(*)::int as n from services`);
      return r?.n ?? 0;
    },
    async apply(catalogue) {
      const specialties = await upsertSpecialties(db, catalogue);
      const services = await upsertServices(db, catalogue);
      const offeringsRefreshed = await refreshOfferingWords(db);
      return { specialties, services, offeringsRefreshed };
    },
    async record(entry: ImportRecord) {
      await db.execute(
        sql`insert into catalogue_imports (id, trigger, source_checksum, content_checksum, services, specialties, inserted, updated, retired, rejected, report, duration_ms)
            values (${uuidv7()}, ${entry.trigger}, ${entry.sourceChecksum}, ${entry.contentChecksum}, ${entry.services}, ${entry.specialties},
                    ${entry.inserted}, ${entry.updated}, ${entry.retired}, ${entry.rejected}, ${JSON.stringify(entry.report)}::jsonb, ${entry.durationMs})`,
      );
    },
  };
}

export function catalogueImportStore(db: Executor): CatalogueImportStore {
  return {
    withImportLock: (fn) =>
      db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${IMPORT_LOCK})`);
        return fn(importTx(tx));
      }),
  };
}

// ---------------------------------------------------------------- reads

interface ServiceDbRow {
  id: string;
  code: string;
  name: string;
  description: string;
  specialty_code: string | null;
  specialty_name: string | null;
  specialty_derivation: string | null;
  specialty_rule: string;
  rank: number;
}

const SERVICE_COLUMNS = sql`s.id, s.code, s.name, s.description, sp.code as specialty_code, sp.name as specialty_name, s.specialty_derivation, s.specialty_rule`;

function toService(r: ServiceDbRow): ServiceRow {
  return {
    id: r.id,
    code: r.code,
    name: r.name,
    description: r.description,
    specialty:
      r.specialty_code !== null && r.specialty_name !== null
        ? { code: r.specialty_code, name: r.specialty_name, derived: r.specialty_derivation !== null, rule: r.specialty_rule }
        : null,
  };
}

export function catalogueReader(db: Executor): CatalogueReader {
  return {
    async listOutpatientBranches(): Promise<SpecialtyRow[]> {
      return rows<SpecialtyRow>(
        db,
        sql`select id, code, name from specialties where system = ${OUTPATIENT_BRANCH} and retired_at is null order by code, id`,
      );
    },

    async listServices(q: ServiceQuery): Promise<Page<ServiceRow & ServicePosition, ServicePosition>> {
      const query = q.tokens.length > 0 ? prefixQuery(q.tokens) : undefined;
      // Services whose display name holds every word come first (rank 0), then by code.
      const rank = query ? sql`(case when s.name_vector @@ ${query} then 0 else 1 end)` : sql`0`;
      const where: SQL[] = [sql`s.retired_at is null`];
      if (query) where.push(sql`s.search_vector @@ ${query}`);
      if (q.specialtyCode !== undefined) where.push(sql`sp.code = ${q.specialtyCode}`);
      const after = q.after ? sql`where (x.rank, x.code) > (${q.after.rank}::int, ${q.after.code}::text)` : sql``;
      const found = await rows<ServiceDbRow>(
        db,
        sql`select * from (
              select ${SERVICE_COLUMNS}, ${rank} as rank
              from services s left join specialties sp on sp.id = s.specialty_id
              where ${and(where)}
            ) x ${after}
            order by x.rank, x.code
            limit ${q.limit + 1}`,
      );
      const items = found.slice(0, q.limit).map((r) => ({ ...toService(r), rank: r.rank }));
      const last = items[items.length - 1];
      return { items, next: found.length > q.limit && last ? { rank: last.rank, code: last.code } : null };
    },

    async getService(id: string): Promise<ServiceRow | null> {
      const [r] = await rows<ServiceDbRow>(
        db,
        sql`select ${SERVICE_COLUMNS}, 0 as rank from services s left join specialties sp on sp.id = s.specialty_id where s.id = ${id}::uuid`,
      );
      return r ? toService(r) : null;
    },

    async findOfferableService(id: string) {
      const [r] = await rows<{ id: string }>(db, sql`select id from services where id = ${id}::uuid and retired_at is null`);
      return r ?? null;
    },
  };
}
