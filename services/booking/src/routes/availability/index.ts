// Provider availability: thin handlers over domain/availability.ts.
import type { Availability } from '@healthmatch/contracts';
import type { App } from '@healthmatch/platform';
import { getAvailability, replaceAvailability, type AvailabilityDeps } from '../../domain/availability.ts';
import type { StoredAvailability } from '../../domain/ports.ts';
import { actorOf } from '../actor.ts';
import { getAvailabilitySchema, putAvailabilitySchema } from './schemas.ts';

const toDto = (a: StoredAvailability): Availability => ({
  providerId: a.providerId,
  timeZone: a.timeZone,
  weekly: a.weekly,
  exceptions: a.exceptions,
  minNoticeMinutes: a.minNoticeMinutes,
  maxAdvanceDays: a.maxAdvanceDays,
  updatedAt: a.updatedAt.toISOString(),
});

export function availabilityRoutes(app: App, deps: AvailabilityDeps): void {
  app.put('/api/v1/booking/availability', { schema: putAvailabilitySchema, onRequest: app.requireAuth('provider') }, async (req) => {
    return toDto(await replaceAvailability(deps, actorOf(req).id, req.body));
  });

  app.get('/api/v1/booking/availability', { schema: getAvailabilitySchema, onRequest: app.requireAuth('provider') }, async (req) => {
    return toDto(await getAvailability(deps, actorOf(req).id));
  });
}
