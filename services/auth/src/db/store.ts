// The repositories over one executor, and transactions that hand the use case
// repositories bound to the transaction (never to the pool).
import type { AuthStore, Repositories } from '../domain/ports.ts';
import { credentialsRepository } from './credentials-repository.ts';
import { authEvents } from './event-outbox.ts';
import type { Executor } from './executor.ts';
import { loginThrottleRepository } from './login-throttle-repository.ts';
import { refreshTokenRepository } from './refresh-token-repository.ts';

function repositories(db: Executor): Repositories {
  return {
    credentials: credentialsRepository(db),
    loginThrottle: loginThrottleRepository(db),
    refreshTokens: refreshTokenRepository(db),
    events: authEvents(db),
  };
}

export function createAuthStore(db: Executor): AuthStore {
  return {
    ...repositories(db),
    transaction: (fn) => db.transaction((tx) => fn(repositories(tx))),
  };
}
