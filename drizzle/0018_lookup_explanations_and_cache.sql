-- "Why no match": a caller_lookup that finds nobody records why (lib/cdp/explain-miss.ts) in the run's own row.
ALTER TABLE "runs" ADD COLUMN "explanation" json;
--> statement-breakpoint
-- The customer's contacts holding a number that was rejected (raw numbers beyond the valid E.164 ones), for the
-- explainer: on a miss it reads these few rows, never the whole customer.
CREATE INDEX "cdp_contacts_rejected_phones_idx" ON "cdp_contacts" ("customer_id") WHERE cardinality("raw_phones") > cardinality("phones") AND "deleted_at" IS NULL;
--> statement-breakpoint
-- Every change to a customer's contacts tells every Patchbay process at commit (NOTIFY patchbay_cdp, payload: the
-- customer's id), so their caches of caller lookups (lib/cdp/phone-cache.ts) forget that customer's answers.
CREATE OR REPLACE FUNCTION patchbay_cdp_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE c uuid;
BEGIN
  IF TG_OP = 'DELETE' THEN
    FOR c IN SELECT DISTINCT customer_id FROM old_rows LOOP PERFORM pg_notify('patchbay_cdp', c::text); END LOOP;
  ELSE
    FOR c IN SELECT DISTINCT customer_id FROM new_rows LOOP PERFORM pg_notify('patchbay_cdp', c::text); END LOOP;
  END IF;
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER cdp_contacts_changed_ins AFTER INSERT ON cdp_contacts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION patchbay_cdp_changed();
--> statement-breakpoint
CREATE TRIGGER cdp_contacts_changed_upd AFTER UPDATE ON cdp_contacts REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION patchbay_cdp_changed();
--> statement-breakpoint
CREATE TRIGGER cdp_contacts_changed_del AFTER DELETE ON cdp_contacts REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION patchbay_cdp_changed();
