// The public keys that verify access tokens, for every service (and the gateway).
import { Jwks } from '@healthmatch/contracts';
import type { App } from '@healthmatch/platform';
import type { KeyRing } from '../../domain/key-ring.ts';

const schema = {
  tags: ['auth'],
  summary: 'JSON Web Key Set of the access-token signing keys',
  response: { 200: Jwks },
};

export function keyRoutes(app: App, keys: KeyRing): void {
  for (const url of ['/.well-known/jwks.json', '/api/v1/auth/jwks']) {
    app.get(url, { schema }, async (_req, reply) => {
      // Short: a rotation must reach verifiers soon (they also refetch on an unknown kid).
      reply.header('cache-control', 'public, max-age=60');
      return keys.jwks();
    });
  }
}
