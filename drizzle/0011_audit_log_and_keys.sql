-- Who changed what (lib/audit/record-audit.ts): one row per change to flows, templates, rollouts, API keys,
-- connections and integrations, scoped by vendor (and customer where there is one). Read on the staff Audit page.
CREATE TABLE "audit_log" (
  "id" bigserial PRIMARY KEY,
  "vendor_id" uuid NOT NULL REFERENCES "vendors"("id") ON DELETE CASCADE,
  "customer_id" uuid REFERENCES "customers"("id") ON DELETE SET NULL,
  "actor_kind" text NOT NULL,
  "actor_id" text,
  "actor_label" text NOT NULL,
  "action" text NOT NULL,
  "target_kind" text NOT NULL,
  "target_id" text,
  "target_label" text,
  "details" jsonb,
  "at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_vendor_at_idx" ON "audit_log" ("vendor_id", "at" DESC, "id" DESC);
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "created_by" text;
--> statement-breakpoint
ALTER TABLE "api_keys" ADD COLUMN "replaced_by" uuid;
