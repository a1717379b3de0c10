// Offerings and the search over them. Distances are the haversine formula in SQL, after a
// bounding box on the indexed (lat, lon) has discarded far rows; no extension is needed.
import { sql, type SQL } from 'drizzle-orm';
import type {
  IdPosition,
  Modality,
  NewOffering,
  OfferingChanges,
  OfferingRecord,
  OfferingStore,
  Page,
  ProviderOfferingsQuery,
  SearchCriteria,
  SearchHitRecord,
  SearchPosition,
} from '../domain/ports.ts';
import type { Executor } from './executor.ts';
import { and, offeringSearchText, prefixQuery } from './sql-helpers.ts';

interface OfferingDbRow {
  id: string;
  provider_id: string;
  service_id: string;
  service_code: string;
  service_name: string;
  specialty_code: string | null;
  specialty_name: string | null;
  specialty_derivation: string | null;
  price_amount: number;
  price_currency: string;
  duration_minutes: number;
  modality: string;
  address: string;
  city: string;
  lat: number;
  lon: number;
  location_source: string;
  active: boolean;
  provider_name: string;
  provider_city: string;
  provider_demo: boolean;
  // drizzle's node-postgres driver hands timestamps of raw queries back as text.
  created_at: Date | string;
  updated_at: Date | string;
  distance_km?: number | null;
}

const OFFERING_COLUMNS = sql`o.id, o.provider_id, o.service_id, s.code as service_code, s.name as service_name,
  sp.code as specialty_code, sp.name as specialty_name, s.specialty_derivation,
  o.price_amount, o.price_currency, o.duration_minutes, o.modality, o.address, o.city, o.lat, o.lon, o.location_source,
  o.active, o.provider_name, o.provider_city, o.provider_demo, o.created_at, o.updated_at`;

const OFFERING_JOINS = sql`join services s on s.id = o.service_id left join specialties sp on sp.id = s.specialty_id`;

function toOffering(r: OfferingDbRow): OfferingRecord {
  return {
    id: r.id,
    providerId: r.provider_id,
    service: { id: r.service_id, code: r.service_code, name: r.service_name },
    specialty:
      r.specialty_code !== null && r.specialty_name !== null
        ? { code: r.specialty_code, name: r.specialty_name, derived: r.specialty_derivation !== null }
        : null,
    provider: { id: r.provider_id, name: r.provider_name, city: r.provider_city, demo: r.provider_demo },
    price: { amount: r.price_amount, currency: r.price_currency },
    durationMinutes: r.duration_minutes,
    modality: r.modality as Modality,
    location: { address: r.address, city: r.city, lat: r.lat, lon: r.lon },
    locationSource: r.location_source === 'custom' ? 'custom' : 'provider',
    active: r.active,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
  };
}

async function rows<T>(db: Executor, query: SQL): Promise<T[]> {
  const res = await db.execute(query);
  return res.rows as T[];
}

/** Haversine distance in km from a point to the offering's location. */
function distanceKm(near: NonNullable<SearchCriteria['near']>): SQL {
  const lat = sql`${near.lat}::float8`;
  const lon = sql`${near.lon}::float8`;
  return sql`(2 * ${near.earthRadiusKm}::float8 * asin(least(1::float8, sqrt(
    power(sin(radians(o.lat - ${lat}) / 2), 2) + cos(radians(${lat})) * cos(radians(o.lat)) * power(sin(radians(o.lon - ${lon}) / 2), 2)
  ))))`;
}

export function offeringRepository(db: Executor): OfferingStore {
  async function findById(id: string): Promise<OfferingRecord | null> {
    const [r] = await rows<OfferingDbRow>(db, sql`select ${OFFERING_COLUMNS} from offerings o ${OFFERING_JOINS} where o.id = ${id}::uuid`);
    return r ? toOffering(r) : null;
  }

  return {
    findById,

    async insert(n: NewOffering): Promise<OfferingRecord | null> {
      // INSERT ... SELECT from services: a service that does not exist inserts nothing.
      const inserted = await db.execute(
        sql`insert into offerings (id, provider_id, service_id, price_amount, price_currency, duration_minutes, modality,
                                   address, city, location_source, city_key, lat, lon, active,
                                   provider_name, provider_city, provider_demo, provider_text, provider_synced_at, search_text)
            select ${n.id}::uuid, ${n.providerId}::uuid, s.id, ${n.price.amount}::int, ${n.price.currency}::text, ${n.durationMinutes}::int, ${n.modality}::text,
                   ${n.location.address}::text, ${n.location.city}::text, ${n.locationSource}::text, ${n.cityKey}::text,
                   ${n.location.lat}::float8, ${n.location.lon}::float8, true,
                   ${n.provider.name}::text, ${n.provider.city}::text, ${n.provider.demo}::boolean, ${n.provider.text}::text, now(),
                   ${offeringSearchText(sql`s.search_text`, sql`${n.provider.text}::text`)}
            from services s where s.id = ${n.serviceId}::uuid`,
      );
      return inserted.rowCount === 1 ? findById(n.id) : null;
    },

    async update(id: string, providerId: string, c: OfferingChanges): Promise<OfferingRecord | null> {
      const set: SQL[] = [sql`updated_at = now()`];
      if (c.price) set.push(sql`price_amount = ${c.price.amount}, price_currency = ${c.price.currency}`);
      if (c.durationMinutes !== undefined) set.push(sql`duration_minutes = ${c.durationMinutes}`);
      if (c.modality !== undefined) set.push(sql`modality = ${c.modality}`);
      if (c.active !== undefined) set.push(sql`active = ${c.active}`);
      if (c.location) {
        const l = c.location.value;
        set.push(
          sql`address = ${l.address}, city = ${l.city}, lat = ${l.lat}::float8, lon = ${l.lon}::float8, city_key = ${c.location.cityKey}, location_source = ${c.location.source}`,
        );
      }
      if (c.provider) {
        const p = c.provider;
        set.push(sql`provider_name = ${p.name}, provider_city = ${p.city}, provider_demo = ${p.demo}, provider_text = ${p.text}, provider_synced_at = now()`);
        set.push(sql`search_text = ${offeringSearchText(sql`s.search_text`, sql`${p.text}::text`)}`);
      }
      const updated = await db.execute(
        sql`update offerings o set ${sql.join(set, sql`, `)}
            from services s
            where s.id = o.service_id and o.id = ${id}::uuid and o.provider_id = ${providerId}::uuid`,
      );
      return updated.rowCount === 1 ? findById(id) : null;
    },

    async listByProvider(q: ProviderOfferingsQuery): Promise<Page<OfferingRecord, IdPosition>> {
      const where: SQL[] = [sql`o.provider_id = ${q.providerId}::uuid`];
      if (q.active !== undefined) where.push(sql`o.active = ${q.active}`);
      if (q.after) where.push(sql`o.id > ${q.after.id}::uuid`);
      const found = await rows<OfferingDbRow>(
        db,
        sql`select ${OFFERING_COLUMNS} from offerings o ${OFFERING_JOINS} where ${and(where)} order by o.id limit ${q.limit + 1}`,
      );
      const items = found.slice(0, q.limit).map(toOffering);
      const last = items[items.length - 1];
      return { items, next: found.length > q.limit && last ? { id: last.id } : null };
    },

    async search(c: SearchCriteria): Promise<Page<SearchHitRecord, SearchPosition>> {
      const where: SQL[] = [sql`o.active`];
      if (c.tokens.length > 0) where.push(sql`o.search_vector @@ ${prefixQuery(c.tokens)}`);
      if (c.specialtyCode !== undefined) where.push(sql`sp.code = ${c.specialtyCode}`);
      if (c.cityKey !== undefined) where.push(sql`o.city_key = ${c.cityKey}`);
      if (c.maxPrice !== undefined) where.push(sql`o.price_amount <= ${c.maxPrice}`);
      if (c.modality !== undefined) where.push(sql`o.modality = ${c.modality}`);

      let query: SQL;
      if (c.near) {
        const { box } = c.near;
        where.push(sql`o.lat between ${box.minLat}::float8 and ${box.maxLat}::float8`);
        if (box.minLon > -180 || box.maxLon < 180) where.push(sql`o.lon between ${box.minLon}::float8 and ${box.maxLon}::float8`);
        const outer: SQL[] = [sql`x.distance_km <= ${c.near.radiusKm}::float8`];
        if (c.after?.sort === 'distance') outer.push(sql`(x.distance_km, x.id) > (${c.after.distanceKm}::float8, ${c.after.id}::uuid)`);
        query = sql`select * from (
                      select ${OFFERING_COLUMNS}, ${distanceKm(c.near)} as distance_km
                      from offerings o ${OFFERING_JOINS}
                      where ${and(where)}
                    ) x
                    where ${and(outer)}
                    order by x.distance_km, x.id
                    limit ${c.limit + 1}`;
      } else {
        if (c.after?.sort === 'price') where.push(sql`(o.price_amount, o.id) > (${c.after.amount}::int, ${c.after.id}::uuid)`);
        query = sql`select ${OFFERING_COLUMNS}
                    from offerings o ${OFFERING_JOINS}
                    where ${and(where)}
                    order by o.price_amount, o.id
                    limit ${c.limit + 1}`;
      }
      const found = await rows<OfferingDbRow>(db, query);
      const items: SearchHitRecord[] = found.slice(0, c.limit).map((r) => ({
        offering: toOffering(r),
        ...(typeof r.distance_km === 'number' ? { distanceKm: r.distance_km } : {}),
      }));
      const last = items[items.length - 1];
      let next: SearchPosition | null = null;
      if (found.length > c.limit && last) {
        next =
          last.distanceKm !== undefined
            ? { sort: 'distance', distanceKm: last.distanceKm, id: last.offering.id }
            : { sort: 'price', amount: last.offering.price.amount, id: last.offering.id };
      }
      return { items, next };
    },
  };
}
