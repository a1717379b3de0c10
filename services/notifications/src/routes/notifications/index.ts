// The delivery log over HTTP: a recipient reads their own messages, an admin reads all.
// Cursors are keyset positions (createdAt, id), newest first.
import type { Notification } from '@healthmatch/contracts';
import { AppError, decodeTimeIdCursor, encodeTimeIdCursor, principalOf, type App } from '@healthmatch/platform';
import type { ListFilter, MessageRow, NotificationRepository } from '../../db/notification-repository.ts';
import { adminListSchema, getSchema, mineSchema } from './schemas.ts';

const BASE = '/api/v1/notifications';

export function toNotificationDto(m: MessageRow, now: Date): Notification {
  const status = m.status === 'queued' && m.notBefore.getTime() > now.getTime() ? 'scheduled' : m.status;
  return {
    id: m.id,
    kind: m.kind as Notification['kind'],
    status,
    channel: 'email',
    recipientId: m.recipientId,
    recipientRole: m.recipientRole,
    appointmentId: m.appointmentId,
    toAddress: m.toAddress,
    subject: m.subject,
    reminderOffsetMinutes: m.reminderOffsetMinutes,
    notBefore: m.notBefore.toISOString(),
    attempts: m.attempts,
    lastError: m.lastError,
    messageId: m.messageId,
    createdAt: m.createdAt.toISOString(),
    sentAt: m.sentAt ? m.sentAt.toISOString() : null,
  };
}

const toPosition = (p: { at: Date; id: string } | undefined): ListFilter['after'] => p && { createdAt: p.at, id: p.id };

export interface NotificationRoutesDeps {
  repo: NotificationRepository;
  /** The clock that decides "scheduled" vs "queued" (the delivery worker's). */
  now: () => Date;
}

export function notificationRoutes(app: App, deps: NotificationRoutesDeps): void {
  const page = async (filter: Omit<ListFilter, 'limit' | 'now' | 'after'>, q: { limit?: number; cursor?: string }) => {
    const limit = q.limit ?? 20;
    const now = deps.now();
    const rows = await deps.repo.list({ ...filter, after: toPosition(decodeTimeIdCursor(q.cursor)), limit: limit + 1, now });
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return {
      items: items.map((m) => toNotificationDto(m, now)),
      nextCursor: rows.length > limit && last ? encodeTimeIdCursor(last.createdAt, last.id) : null,
    };
  };

  app.get(`${BASE}/me`, { schema: mineSchema, onRequest: app.requireAuth('patient', 'provider', 'admin') }, async (req) => {
    const { status, appointmentId, limit, cursor } = req.query;
    return page({ recipientId: principalOf(req).id, status, appointmentId: appointmentId?.toLowerCase() }, { limit, cursor });
  });

  app.get(BASE, { schema: adminListSchema, onRequest: app.requireAuth('admin') }, async (req) => {
    const { recipientId, status, appointmentId, limit, cursor } = req.query;
    return page({ recipientId: recipientId?.toLowerCase(), status, appointmentId: appointmentId?.toLowerCase() }, { limit, cursor });
  });

  app.get(`${BASE}/:id`, { schema: getSchema, onRequest: app.requireAuth('patient', 'provider', 'admin') }, async (req) => {
    const caller = principalOf(req);
    const m = await deps.repo.get(req.params.id.toLowerCase());
    // Someone else's message is a 404 too: its existence is not the caller's business.
    if (!m || (caller.role !== 'admin' && m.recipientId !== caller.id)) throw new AppError('NOT_FOUND', 'No such message');
    return toNotificationDto(m, deps.now());
  });
}
