-- "Why no match": a caller_lookup that finds nobody records why (lib/cdp/explain-miss.ts) in the run's own row.
ALTER TABLE "runs" ADD COLUMN "explanation" json;
--> statement-breakpoint
-- The customer's contacts holding a number that was rejected (raw numbers beyond the valid E.164 ones), for the
-- explainer: on a miss it reads these few rows, never the whole customer.
CREATE INDEX "cdp_contacts_rejected_phones_idx" ON "cdp_contacts" ("customer_id") WHERE cardinality("raw_phones") > cardinality("phones") AND "deleted_at" IS NULL;
