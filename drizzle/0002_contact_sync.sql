CREATE TABLE "phonebook_links" (
	"customer_id" uuid NOT NULL,
	"source" text NOT NULL,
	"external_id" text NOT NULL,
	"phonebook_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "phonebook_links_customer_id_source_external_id_pk" PRIMARY KEY("customer_id","source","external_id")
);
--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "alerts" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "stats" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "trigger" text DEFAULT 'manual' NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "job_id" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "worker" text;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "updated_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_states" ADD COLUMN "config" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_states" ADD COLUMN "enabled" boolean DEFAULT true NOT NULL;--> statement-breakpoint
ALTER TABLE "sync_states" ADD COLUMN "next_run_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "sync_states" ADD COLUMN "next_full_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "phonebook_links" ADD CONSTRAINT "phonebook_links_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "phonebook_links_entry_idx" ON "phonebook_links" USING btree ("customer_id","phonebook_id");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_active_uq" ON "sync_runs" USING btree ("customer_id","sync_key") WHERE "sync_runs"."status" in ('queued', 'running');