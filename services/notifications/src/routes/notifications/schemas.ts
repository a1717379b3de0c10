import { AdminNotificationsQuery, IdParams, MyNotificationsQuery, Notification, NotificationsPage } from '@healthmatch/contracts';
import { bearer, problemResponses } from '@healthmatch/platform';

export const mineSchema = {
  tags: ['notifications'],
  summary: 'My messages: what was sent to me, what is scheduled, what failed and why',
  description: 'Newest first. status "scheduled" lists reminders waiting for their time.',
  security: bearer,
  querystring: MyNotificationsQuery,
  response: { 200: NotificationsPage, ...problemResponses(400, 401, 403) },
} as const;

export const adminListSchema = {
  tags: ['notifications'],
  summary: 'The delivery log of every message (admin)',
  security: bearer,
  querystring: AdminNotificationsQuery,
  response: { 200: NotificationsPage, ...problemResponses(400, 401, 403) },
} as const;

export const getSchema = {
  tags: ['notifications'],
  summary: 'One message of the delivery log (its recipient or an admin)',
  security: bearer,
  params: IdParams,
  response: { 200: Notification, ...problemResponses(400, 401, 403, 404) },
} as const;
