// /status: the readiness of every service behind the gateway (their /readyz), for operators
// and dashboards. The gateway's own /readyz does not depend on them on purpose: one service
// down must not take the whole entry point out of the load balancer.
import type { App, HttpClient } from '@healthmatch/platform';
import { Type } from '@sinclair/typebox';
import type { Upstream } from './route-table.ts';

const CHECK_TIMEOUT_MS = 2_000;
/** Answers within this age are reused, so /status cannot be used to flood the services. */
const REUSE_MS = 1_000;

type State = 'ready' | 'not_ready' | 'unavailable';

export async function statusRoutes(app: App, opts: { upstreams: Upstream[]; clients: Map<string, HttpClient> }): Promise<void> {
  let last: { at: number; services: Record<string, State> } | undefined;
  let inflight: Promise<Record<string, State>> | undefined;

  const check = async (u: Upstream, requestId: string): Promise<State> => {
    try {
      const res = await opts.clients.get(u.service)?.call('GET', '/readyz', { requestId, timeoutMs: CHECK_TIMEOUT_MS });
      return res?.status === 200 ? 'ready' : res ? 'not_ready' : 'unavailable';
    } catch {
      return 'unavailable';
    }
  };

  const checkAll = (requestId: string): Promise<Record<string, State>> => {
    if (last && Date.now() - last.at < REUSE_MS) return Promise.resolve(last.services);
    inflight ??= Promise.all(opts.upstreams.map(async (u) => [u.service, await check(u, requestId)] as const))
      .then((pairs) => {
        last = { at: Date.now(), services: Object.fromEntries(pairs) };
        return last.services;
      })
      .finally(() => {
        inflight = undefined;
      });
    return inflight;
  };

  app.get(
    '/status',
    {
      schema: {
        hide: true,
        response: { 200: Type.Object({ status: Type.Literal('ok'), services: Type.Record(Type.String(), Type.String()) }) },
      },
    },
    async (req, reply) => {
      const services = await checkAll(String(req.id));
      if (Object.values(services).every((s) => s === 'ready')) return { status: 'ok' as const, services };
      return reply.problem('SERVICE_UNAVAILABLE', 'Some services are not ready', { services });
    },
  );
}
