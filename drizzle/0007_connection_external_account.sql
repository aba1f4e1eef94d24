ALTER TABLE "connections" ADD COLUMN "external_account" text;--> statement-breakpoint
CREATE INDEX "connections_system_account_idx" ON "connections" USING btree ("system","external_account");