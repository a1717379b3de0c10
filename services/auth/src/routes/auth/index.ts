// /api/v1/auth: thin handlers over the AuthService use cases.
import { principalOf, type App } from '@healthmatch/platform';
import type { AuthService } from '../../domain/auth-service.ts';
import { loginSchema, logoutSchema, meSchema, refreshSchema, registerSchema } from './schemas.ts';

export function authRoutes(app: App, auth: AuthService): void {
  app.post('/api/v1/auth/register', { schema: registerSchema }, async (req, reply) => {
    const session = await auth.register(req.body, { requestId: String(req.id) });
    return reply.code(201).send(session);
  });

  app.post('/api/v1/auth/login', { schema: loginSchema }, async (req) => auth.login(req.body));

  app.post('/api/v1/auth/refresh', { schema: refreshSchema }, async (req) => auth.refresh(req.body.refreshToken));

  app.post('/api/v1/auth/logout', { schema: logoutSchema }, async (req, reply) => {
    await auth.logout(req.body.refreshToken);
    return reply.code(204).send(null);
  });

  app.get('/api/v1/auth/me', { schema: meSchema, onRequest: app.requireAuth() }, async (req) => auth.me(principalOf(req).id));
}
