-- Two-way contact sync (phone system ⇄ CRM). Per linked record, the shared fields both sides last agreed on
-- (`base`), the hash of each side's copy as last read or written (an echo of the sync's own write matches it and is
-- not written again), each side's own last-modified time (the `newest` conflict rule) and the hash of the fields only
-- the CRM feeds (company, CRM link, custom data). Phonebook changes read from the phone system's change feed wait in
-- sync_pending_changes until the CRM side of the same run has been read (so an edit on both sides is seen as a
-- conflict), then go to the CRM. Each conflict is kept on its run, with both values.
ALTER TABLE "phonebook_links" ADD COLUMN "base" jsonb;
--> statement-breakpoint
ALTER TABLE "phonebook_links" ADD COLUMN "crm_hash" text;
--> statement-breakpoint
ALTER TABLE "phonebook_links" ADD COLUMN "phonebook_hash" text;
--> statement-breakpoint
ALTER TABLE "phonebook_links" ADD COLUMN "extra_hash" text;
--> statement-breakpoint
ALTER TABLE "phonebook_links" ADD COLUMN "crm_updated_at" text;
--> statement-breakpoint
ALTER TABLE "phonebook_links" ADD COLUMN "phonebook_updated_at" text;
--> statement-breakpoint
CREATE TABLE "sync_pending_changes" (
  "customer_id" uuid NOT NULL REFERENCES "customers"("id") ON DELETE CASCADE,
  "source" text NOT NULL,
  "phonebook_id" text NOT NULL,
  "op" text NOT NULL,
  "entry" jsonb,
  "changed_at" text,
  "attempted_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  CONSTRAINT "sync_pending_changes_pk" PRIMARY KEY ("customer_id", "source", "phonebook_id")
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "conflicts" jsonb DEFAULT '[]'::jsonb NOT NULL;
