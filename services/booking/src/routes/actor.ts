import { principalOf } from '@healthmatch/platform';
import { AppError } from '@healthmatch/platform/errors';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/ports.ts';

/** The caller of a route guarded by requireAuth('patient'|'provider'). */
export function actorOf(req: FastifyRequest): Actor {
  const p = principalOf(req);
  if (p.role !== 'patient' && p.role !== 'provider') throw new AppError('FORBIDDEN', 'This action needs the role patient or provider');
  return { id: p.id, role: p.role };
}
