-- Run history a busy phone system can afford (issue 18): per-minute aggregates of every run (whatever the
-- recording policy kept in detail), a per-integration recording policy override, and a per-customer
-- "trace the next N runs" switch.
CREATE TABLE "run_aggregates" (
  "minute" timestamptz NOT NULL,
  "vendor_id" uuid NOT NULL REFERENCES "vendors"("id") ON DELETE CASCADE,
  "customer_id" uuid NOT NULL REFERENCES "customers"("id") ON DELETE CASCADE,
  "automation" text NOT NULL,
  "runs" integer NOT NULL DEFAULT 0,
  "failures" integer NOT NULL DEFAULT 0,
  "timeouts" integer NOT NULL DEFAULT 0,
  "fallbacks" integer NOT NULL DEFAULT 0,
  -- of those, answered at the deadline (timed out); the rest answered a failed run
  "deadline_fallbacks" integer NOT NULL DEFAULT 0,
  "duration_sum_ms" double precision NOT NULL DEFAULT 0,
  "duration_max_ms" real NOT NULL DEFAULT 0,
  -- non-cumulative counts per latency bucket (lib/runs/latency-buckets.ts: fixed upper bounds)
  "buckets" integer[] NOT NULL,
  PRIMARY KEY ("customer_id", "automation", "minute")
);
--> statement-breakpoint
CREATE INDEX "run_aggregates_vendor_minute_idx" ON "run_aggregates" ("vendor_id", "minute");
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "recording" jsonb;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "trace_runs" integer NOT NULL DEFAULT 0;
--> statement-breakpoint
ALTER TABLE "customers" ADD COLUMN "trace_set_at" timestamptz;
