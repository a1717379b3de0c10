// Offerings: thin handlers over domain/offerings.ts.
import { decodeCursor, encodeCursor, principalOf, type App } from '@healthmatch/platform';
import { AppError } from '@healthmatch/platform/errors';
import type { FastifyRequest } from 'fastify';
import {
  createOffering,
  getOffering,
  listProviderOfferings,
  patchOffering,
  type OfferingDeps,
} from '../../domain/offerings.ts';
import type { CallContext, IdPosition, OfferingRecord, Page } from '../../domain/ports.ts';
import { toOfferingDto } from '../dto.ts';
import { createOfferingSchema, getOfferingSchema, myOfferingsSchema, patchOfferingSchema, providerOfferingsSchema } from './schemas.ts';

const BASE = '/api/v1/catalog/offerings';

function callContext(req: FastifyRequest): CallContext {
  const authorization = req.headers.authorization;
  return { requestId: String(req.id), authorization: typeof authorization === 'string' ? authorization : undefined };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The calling provider's id (the token's subject), which keys offerings in the database. */
function providerIdOf(req: FastifyRequest): string {
  const { id } = principalOf(req);
  if (!UUID.test(id)) throw new AppError('FORBIDDEN', 'The token subject is not a provider id');
  return id.toLowerCase();
}

const toPage = (page: Page<OfferingRecord, IdPosition>) => ({
  items: page.items.map(toOfferingDto),
  nextCursor: page.next ? encodeCursor([page.next.id]) : null,
});

export function offeringRoutes(app: App, deps: OfferingDeps): void {
  app.post(BASE, { schema: createOfferingSchema, onRequest: app.requireAuth('provider') }, async (req, reply) => {
    const offering = await createOffering(deps, providerIdOf(req), req.body, callContext(req));
    return reply.code(201).header('location', `${BASE}/${offering.id}`).send(toOfferingDto(offering));
  });

  app.patch(`${BASE}/:id`, { schema: patchOfferingSchema, onRequest: app.requireAuth('provider') }, async (req) => {
    return toOfferingDto(await patchOffering(deps, providerIdOf(req), req.params.id, req.body, callContext(req)));
  });

  app.get(`${BASE}/:id`, { schema: getOfferingSchema }, async (req) => {
    return toOfferingDto(await getOffering(deps.offerings, req.params.id));
  });

  app.get(BASE, { schema: myOfferingsSchema, onRequest: app.requireAuth('provider') }, async (req) => {
    const { active, limit, cursor } = req.query;
    return toPage(await listProviderOfferings(deps.offerings, { providerId: providerIdOf(req), active, limit, cursor: decodeCursor(cursor, 1) }));
  });

  app.get('/api/v1/catalog/providers/:id/offerings', { schema: providerOfferingsSchema }, async (req) => {
    const { limit, cursor } = req.query;
    return toPage(await listProviderOfferings(deps.offerings, { providerId: req.params.id, active: true, limit, cursor: decodeCursor(cursor, 1) }));
  });
}
