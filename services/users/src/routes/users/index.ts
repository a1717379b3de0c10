// The caller's own profile. Ownership is the token: there is no id in these paths.
import { Profile, ProfilePatch } from '@healthmatch/contracts';
import { principalOf } from '@healthmatch/platform';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ProfileService } from '../../domain/profile-service.ts';
import { problems } from '../problems.ts';
import { profileDto } from '../profile-dto.ts';

export const userRoutes: FastifyPluginAsyncTypebox<{ service: ProfileService }> = async (app, { service }) => {
  app.get(
    '/api/v1/users/me',
    {
      onRequest: app.requireAuth(),
      schema: {
        tags: ['users'],
        summary: 'My profile',
        security: [{ bearerAuth: [] }],
        response: { 200: Profile, ...problems(401, 404) },
      },
    },
    async (req, reply) => reply.header('cache-control', 'no-store').send(profileDto(await service.getOwn(principalOf(req)))),
  );

  app.patch(
    '/api/v1/users/me',
    {
      onRequest: app.requireAuth(),
      schema: {
        tags: ['users'],
        summary: 'Change fields of my profile',
        description: 'Only the fields of the caller\'s role; null clears phone, birthDate or bio.',
        security: [{ bearerAuth: [] }],
        body: ProfilePatch,
        response: { 200: Profile, ...problems(400, 401, 404) },
      },
    },
    async (req, reply) => reply.header('cache-control', 'no-store').send(profileDto(await service.patchOwn(principalOf(req), req.body))),
  );
};
