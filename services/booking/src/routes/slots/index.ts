// Public free-slot search: a thin handler over domain/free-slots.ts.
import type { App } from '@healthmatch/platform';
import { findFreeSlots, type SlotDeps } from '../../domain/free-slots.ts';
import { getSlotsSchema } from './schemas.ts';

export function slotRoutes(app: App, deps: SlotDeps): void {
  app.get('/api/v1/booking/slots', { schema: getSlotsSchema }, async (req) => {
    const { offeringId, from, to } = req.query;
    return findFreeSlots(deps, { offeringId, from, to, requestId: String(req.id) });
  });
}
