-- Double booking is impossible by construction: no two non-cancelled appointments of one
-- provider may overlap in time, whatever the offering. Concurrent inserts serialise on the
-- constraint's index; the loser gets SQLSTATE 23P01 (exclusion_violation), which the
-- repository maps to BOOKING_SLOT_TAKEN. Cancelled rows are outside the predicate, so a
-- cancelled slot can be booked again. drizzle cannot express this; see
-- docs/adr/0003-double-booking-constraint.md.
CREATE EXTENSION IF NOT EXISTS btree_gist;
--> statement-breakpoint
ALTER TABLE "appointments" ADD CONSTRAINT "appointments_no_overlap"
  EXCLUDE USING gist ("provider_id" WITH =, tstzrange("start_at", "end_at", '[)') WITH &&)
  WHERE ("status" <> 'cancelled');
--> statement-breakpoint
-- The key row is written before its appointment in the same transaction (it is the lock
-- that serialises concurrent retries), so the check waits until commit.
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_appointment_id_fk"
  FOREIGN KEY ("appointment_id") REFERENCES "appointments" ("id") DEFERRABLE INITIALLY DEFERRED;
--> statement-breakpoint
CREATE INDEX "idempotency_keys_appointment_idx" ON "idempotency_keys" ("appointment_id");
