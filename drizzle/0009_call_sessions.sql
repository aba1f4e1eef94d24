CREATE TABLE "call_session_waits" (
	"run_id" uuid PRIMARY KEY NOT NULL,
	"session_id" uuid NOT NULL,
	"until" text NOT NULL,
	"resume_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "call_sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"customer_id" uuid NOT NULL,
	"call_id" text NOT NULL,
	"state" text NOT NULL,
	"call" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"events" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"records" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"run_ids" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "call_session_waits" ADD CONSTRAINT "call_session_waits_session_id_call_sessions_id_fk" FOREIGN KEY ("session_id") REFERENCES "public"."call_sessions"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "call_sessions" ADD CONSTRAINT "call_sessions_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "call_session_waits_session_idx" ON "call_session_waits" USING btree ("session_id");--> statement-breakpoint
CREATE UNIQUE INDEX "call_sessions_customer_call_uq" ON "call_sessions" USING btree ("customer_id","call_id");--> statement-breakpoint
CREATE INDEX "call_sessions_customer_updated_idx" ON "call_sessions" USING btree ("customer_id","updated_at");