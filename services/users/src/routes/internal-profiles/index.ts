// Service-to-service: auth creates the new account's own profile at registration, with
// that account's access token (docs/adr/0002). The gateway never routes /internal/*.
import { InternalProfileInput, Profile } from '@healthmatch/contracts';
import { principalOf } from '@healthmatch/platform';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ProfileService } from '../../domain/profile-service.ts';
import { problems } from '../problems.ts';
import { profileDto } from '../profile-dto.ts';

export const internalProfileRoutes: FastifyPluginAsyncTypebox<{ service: ProfileService }> = async (app, { service }) => {
  app.put(
    '/internal/profiles/me',
    {
      onRequest: app.requireAuth('patient', 'provider'),
      schema: {
        hide: true,
        summary: "Create the caller's own profile (idempotent: the same call again answers 200)",
        security: [{ bearerAuth: [] }],
        body: InternalProfileInput,
        response: { 200: Profile, 201: Profile, ...problems(400, 401, 403, 409) },
      },
    },
    async (req, reply) => {
      const { created, profile } = await service.createOwn(principalOf(req), req.body);
      return reply.code(created ? 201 : 200).header('cache-control', 'no-store').send(profileDto(profile));
    },
  );
};
