-- The event kit's transactional outbox (docs/adr/0010): created here so a change and its
-- event commit together from the first start; the kit's ensureOutboxTable runs the same
-- idempotent DDL.
create table if not exists outbox (
  id uuid primary key,
  type text not null,
  payload jsonb not null,
  created_at timestamp with time zone not null default now(),
  attempts integer not null default 0,
  next_attempt_at timestamp with time zone not null default now(),
  published_at timestamp with time zone,
  last_error text
);--> statement-breakpoint
create index if not exists outbox_pending_idx on outbox (next_attempt_at) where published_at is null;--> statement-breakpoint
create index if not exists outbox_published_idx on outbox (published_at) where published_at is not null;
