// Storage of profiles. Sensitive fields are sealed here, on the way into the table, and
// opened on the way out: nothing above this file sees an envelope, nothing below a plaintext.
// Each envelope is bound to its table, column and row (cipher context), so a value copied
// to another row or column does not decrypt.
import type { Db, FieldCipher } from '@healthmatch/platform';
import { EventSources, EventTypes, type ProfileUpdatedV1 } from '@healthmatch/contracts';
import { createEvent, enqueue } from '@healthmatch/platform/events';
import { eq, getTableColumns, inArray, sql } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import type { ProfileStore } from '../domain/profile-service.ts';
import type { Locale, NewProfile, PatientProfile, Profile, ProfileRole, ProviderKind, ProviderProfile, PublicProvider } from '../domain/profile.ts';
import { patientProfiles, providerProfiles, type schema } from './schema.ts';

type UsersDb = Db<typeof schema>;
type Tx = Parameters<Parameters<UsersDb['transaction']>[0]>[0];
type PatientRow = typeof patientProfiles.$inferSelect;
type ProviderRow = typeof providerProfiles.$inferSelect;

export interface ProfileRepository extends ProfileStore {
  /** Distinct key ids of every stored envelope (start-up check that the key ring opens them all). */
  keyIdsInUse(): Promise<string[]>;
  /** Re-seals up to `limit` profiles that still use an older key; returns how many it rewrote. */
  reencryptBatch(limit?: number): Promise<number>;
}

/** Distinct key ids of every stored envelope (needs no cipher: the start-up check runs before one exists). */
export async function profileKeyIdsInUse(db: UsersDb): Promise<string[]> {
  const result = await db.execute<{ key_id: string }>(sql`
    select distinct split_part(v, ':', 2) as key_id from (
      select unnest(array[email_enc, last_name_enc, phone_enc, birth_date_enc]) as v from patient_profiles
      union all
      select email_enc from provider_profiles
    ) envelopes
    where v is not null
    order by 1`);
  return result.rows.map((r) => r.key_id);
}

/** A timestamp as RFC 3339 in UTC with microseconds (a JavaScript Date keeps milliseconds only). */
const utcMicros = (column: AnyPgColumn) => sql<string>`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** What other services keep of a profile: only the language of their messages. */
function profileUpdatedEvent(p: Profile, updatedAt: string) {
  const data: ProfileUpdatedV1 = { userId: p.id, role: p.role, locale: p.locale, updatedAt };
  return createEvent({ source: EventSources.users, type: EventTypes.profileUpdated, subject: p.id, data });
}

export function createProfileRepository(db: UsersDb, cipher: FieldCipher): ProfileRepository {
  const context = (table: string, column: string, id: string) => `${table}.${column}:${id}`;
  const seal = (table: string, column: string, id: string, value: string) => cipher.encrypt(value, context(table, column, id));
  const open = (table: string, column: string, id: string, envelope: string) => cipher.decrypt(envelope, context(table, column, id));
  const sealOptional = (table: string, column: string, id: string, value: string | null) => (value === null ? null : seal(table, column, id, value));
  const openOptional = (table: string, column: string, id: string, envelope: string | null) => (envelope === null ? null : open(table, column, id, envelope));

  const P = 'patient_profiles';
  const V = 'provider_profiles';

  function patientColumns(p: Omit<PatientProfile, 'createdAt' | 'updatedAt'>) {
    return {
      id: p.id,
      emailEnc: seal(P, 'email_enc', p.id, p.email),
      firstName: p.firstName,
      lastNameEnc: seal(P, 'last_name_enc', p.id, p.lastName),
      phoneEnc: sealOptional(P, 'phone_enc', p.id, p.phone),
      birthDateEnc: sealOptional(P, 'birth_date_enc', p.id, p.birthDate),
      locale: p.locale,
    };
  }

  function providerColumns(p: Omit<ProviderProfile, 'createdAt' | 'updatedAt'>) {
    return {
      id: p.id,
      emailEnc: seal(V, 'email_enc', p.id, p.email),
      displayName: p.displayName,
      kind: p.kind,
      languages: p.languages,
      address: p.address,
      city: p.city,
      lat: p.lat,
      lon: p.lon,
      bio: p.bio,
      locale: p.locale,
      demo: p.demo,
    };
  }

  function patientFromRow(r: PatientRow): PatientProfile {
    return {
      id: r.id,
      role: 'patient',
      email: open(P, 'email_enc', r.id, r.emailEnc),
      firstName: r.firstName,
      lastName: open(P, 'last_name_enc', r.id, r.lastNameEnc),
      phone: openOptional(P, 'phone_enc', r.id, r.phoneEnc),
      birthDate: openOptional(P, 'birth_date_enc', r.id, r.birthDateEnc),
      locale: r.locale as Locale,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  function providerFromRow(r: ProviderRow): ProviderProfile {
    return {
      id: r.id,
      role: 'provider',
      email: open(V, 'email_enc', r.id, r.emailEnc),
      displayName: r.displayName,
      kind: r.kind as ProviderKind,
      languages: r.languages,
      address: r.address,
      city: r.city,
      lat: r.lat,
      lon: r.lon,
      bio: r.bio,
      locale: r.locale as Locale,
      demo: r.demo,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  async function findIn(q: UsersDb | Tx, role: ProfileRole, id: string, lock = false): Promise<Profile | undefined> {
    if (role === 'patient') {
      const base = q.select().from(patientProfiles).where(eq(patientProfiles.id, id));
      const [row] = lock ? await base.for('update') : await base;
      return row ? patientFromRow(row) : undefined;
    }
    const base = q.select().from(providerProfiles).where(eq(providerProfiles.id, id));
    const [row] = lock ? await base.for('update') : await base;
    return row ? providerFromRow(row) : undefined;
  }

  return {
    findOwn: (role, id) => findIn(db, role, id),

    async createIfAbsent(draft: NewProfile) {
      return db.transaction(async (tx) => {
        // One profile per account across both tables: serialise creations of this id.
        await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`users.profile:${draft.id}`}, 0))`);
        const existing = (await findIn(tx, 'patient', draft.id)) ?? (await findIn(tx, 'provider', draft.id));
        if (existing) return { created: false, profile: existing };
        if (draft.role === 'patient') {
          const [row] = await tx.insert(patientProfiles).values(patientColumns(draft)).returning();
          return { created: true, profile: patientFromRow(row as PatientRow) };
        }
        const [row] = await tx.insert(providerProfiles).values(providerColumns(draft)).returning();
        return { created: true, profile: providerFromRow(row as ProviderRow) };
      });
    },

    async update(role, id, change) {
      return db.transaction(async (tx) => {
        const current = await findIn(tx, role, id, true);
        if (!current) return undefined;
        const next = change(current);
        // Every sensitive column is sealed again, so each write also moves the row to the current key.
        // The row is locked (above), so writes of one profile are serialised; clock_timestamp(),
        // not the transaction's start, makes updatedAt grow in the order they commit, and the
        // event carries it to the microsecond, so its consumers can tell which change is the last.
        let updated: Profile;
        let exactUpdatedAt: string;
        if (next.role === 'patient') {
          const [row] = await tx
            .update(patientProfiles)
            .set({ ...patientColumns(next), updatedAt: sql`clock_timestamp()` })
            .where(eq(patientProfiles.id, id))
            .returning({ ...getTableColumns(patientProfiles), exact: utcMicros(patientProfiles.updatedAt) });
          updated = patientFromRow(row as PatientRow);
          exactUpdatedAt = row!.exact;
        } else {
          const [row] = await tx
            .update(providerProfiles)
            .set({ ...providerColumns(next), updatedAt: sql`clock_timestamp()` })
            .where(eq(providerProfiles.id, id))
            .returning({ ...getTableColumns(providerProfiles), exact: utcMicros(providerProfiles.updatedAt) });
          updated = providerFromRow(row as ProviderRow);
          exactUpdatedAt = row!.exact;
        }
        // Commits or rolls back with the change (docs/adr/0010).
        await enqueue(tx, profileUpdatedEvent(updated, exactUpdatedAt));
        return updated;
      });
    },

    async findPublicProviders(ids) {
      if (ids.length === 0) return [];
      const t = providerProfiles;
      // Only public columns: the e-mail is neither read nor decrypted for a public answer.
      const rows = await db
        .select({ id: t.id, displayName: t.displayName, kind: t.kind, languages: t.languages, address: t.address, city: t.city, lat: t.lat, lon: t.lon, bio: t.bio, demo: t.demo })
        .from(t)
        .where(inArray(t.id, [...ids]));
      return rows.map((r): PublicProvider => ({ ...r, kind: r.kind as ProviderKind }));
    },

    keyIdsInUse: () => profileKeyIdsInUse(db),

    async reencryptBatch(limit = 200) {
      const current = cipher.currentKeyId;
      return db.transaction(async (tx) => {
        const stale = (column: unknown) => sql`(${column} is not null and split_part(${column}, ':', 2) <> ${current})`;
        const patients = await tx
          .select()
          .from(patientProfiles)
          .where(sql`${stale(patientProfiles.emailEnc)} or ${stale(patientProfiles.lastNameEnc)} or ${stale(patientProfiles.phoneEnc)} or ${stale(patientProfiles.birthDateEnc)}`)
          .limit(limit)
          .for('update', { skipLocked: true });
        for (const row of patients) {
          // updatedAt stays: the profile's content did not change.
          await tx.update(patientProfiles).set(patientColumns(patientFromRow(row))).where(eq(patientProfiles.id, row.id));
        }
        const room = limit - patients.length;
        const providers =
          room <= 0
            ? []
            : await tx
                .select()
                .from(providerProfiles)
                .where(stale(providerProfiles.emailEnc))
                .limit(room)
                .for('update', { skipLocked: true });
        for (const row of providers) {
          await tx.update(providerProfiles).set(providerColumns(providerFromRow(row))).where(eq(providerProfiles.id, row.id));
        }
        return patients.length + providers.length;
      });
    },
  };
}
