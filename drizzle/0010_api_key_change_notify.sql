-- Every change to api_keys (a key revoked, created or deleted, by Patchbay or by hand) tells every Patchbay
-- process at commit, so their key caches forget at once (lib/tenancy/api-keys.ts).
CREATE OR REPLACE FUNCTION patchbay_api_keys_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('patchbay_api_keys', 'changed');
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER api_keys_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION patchbay_api_keys_changed();
