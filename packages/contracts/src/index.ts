export * from './common.ts';
export * from './errors.ts';
export * from './auth.ts';
export * from './users.ts';
export * from './catalog.ts';
export * from './booking.ts';
export * from './events.ts';
export * from './notifications.ts';
