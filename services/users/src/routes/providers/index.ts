// Public provider directory data (no token): what other services and the booking pages show.
import { IdParams, ProviderIdsQuery, PublicProvider, PublicProviderList } from '@healthmatch/contracts';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { ProfileService } from '../../domain/profile-service.ts';
import { problems } from '../problems.ts';
import { publicProviderDto } from '../profile-dto.ts';

/** `ids=a,b` and `ids=a&ids=b` are both accepted: split before validation. */
async function splitIdLists(req: FastifyRequest): Promise<void> {
  const query = req.query as Record<string, unknown>;
  if (query.ids !== undefined) query.ids = [query.ids].flat().flatMap((v) => String(v).split(','));
}

export const providerRoutes: FastifyPluginAsyncTypebox<{ service: ProfileService }> = async (app, { service }) => {
  app.get(
    '/api/v1/providers/:id',
    {
      schema: {
        tags: ['providers'],
        summary: "A provider's public profile",
        params: IdParams,
        response: { 200: PublicProvider, ...problems(400, 404) },
      },
    },
    async (req) => publicProviderDto(await service.getPublicProvider(req.params.id)),
  );

  app.get(
    '/api/v1/providers',
    {
      preValidation: splitIdLists,
      schema: {
        tags: ['providers'],
        summary: 'Public profiles of up to 100 providers by id',
        description: 'Unknown ids are left out; the answer keeps the order of the ids asked.',
        querystring: ProviderIdsQuery,
        response: { 200: PublicProviderList, ...problems(400) },
      },
    },
    async (req) => ({ items: (await service.getPublicProviders(req.query.ids)).map(publicProviderDto) }),
  );
};
