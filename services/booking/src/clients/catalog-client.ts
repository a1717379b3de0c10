// The catalog service as booking sees it: one call, GET an offering. The answer is checked
// against the Offering contract; anything else from upstream is a 502, never a guess.
import { Offering } from '@healthmatch/contracts';
import { AppError, compileSchemaCheck, createHttpClient, type HttpClient } from '@healthmatch/platform';
import type { OfferingSnapshot, OfferingSource } from '../domain/ports.ts';

const offeringCheck = compileSchemaCheck(Offering);

export interface CatalogClient extends OfferingSource {
  close(): Promise<void>;
}

export function createCatalogClient(baseUrl: string, opts: { timeoutMs?: number; http?: HttpClient } = {}): CatalogClient {
  const http = opts.http ?? createHttpClient({ baseUrl, name: 'catalog', timeoutMs: opts.timeoutMs ?? 3_000, retries: 1 });
  return {
    async getOffering(id: string, requestId?: string): Promise<OfferingSnapshot | null> {
      const res = await http.call<unknown>('GET', `/api/v1/catalog/offerings/${encodeURIComponent(id.toLowerCase())}`, { requestId });
      if (res.status === 404) return null;
      if (res.status === 503) throw new AppError('SERVICE_UNAVAILABLE', 'catalog answered 503 for an offering', { headers: { 'retry-after': '5' } });
      if (res.status !== 200) throw new AppError('BAD_GATEWAY', `catalog answered ${res.status} for an offering`);
      if (!offeringCheck.check(res.body)) {
        // 5xx details are logged, not sent: name the broken fields for whoever reads the log.
        const fields = offeringCheck.errors('offering').slice(0, 5).map((e) => `${e.field} ${e.message}`);
        throw new AppError('BAD_GATEWAY', `catalog answered with an offering that breaks the contract: ${fields.join('; ')}`);
      }
      const o = res.body;
      if (o.id.toLowerCase() !== id.toLowerCase()) throw new AppError('BAD_GATEWAY', 'catalog answered with another offering');
      if (!Number.isInteger(o.durationMinutes) || o.durationMinutes < 1 || o.durationMinutes > 1440) {
        throw new AppError('BAD_GATEWAY', 'catalog answered with an offering of impossible duration');
      }
      return {
        id: o.id,
        providerId: o.providerId,
        service: { id: o.service.id, name: o.service.name },
        price: { amount: o.price.amount, currency: o.price.currency },
        durationMinutes: o.durationMinutes,
        modality: o.modality,
        active: o.active,
        venue: { providerName: o.provider?.name ?? null, address: o.location.address || null, city: o.location.city || null },
      };
    },
    close: () => http.close(),
  };
}
