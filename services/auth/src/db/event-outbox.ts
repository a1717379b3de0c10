// auth's integration events into the kit's outbox, on the executor of the caller's
// transaction (never the pool), so they commit or roll back with the change.
import { EventSources, EventTypes } from '@healthmatch/contracts';
import { createEvent, enqueue } from '@healthmatch/platform/events';
import type { AuthEvents } from '../domain/ports.ts';
import type { Executor } from './executor.ts';

export function authEvents(db: Executor): AuthEvents {
  return {
    async userRegistered(data) {
      await enqueue(db, createEvent({ source: EventSources.auth, type: EventTypes.userRegistered, subject: data.userId, data }));
    },
  };
}
