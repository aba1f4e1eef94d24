CREATE TABLE "portal_link_uses" (
	"nonce" text PRIMARY KEY NOT NULL,
	"customer_id" uuid NOT NULL,
	"used_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "portal_link_uses" ADD CONSTRAINT "portal_link_uses_customer_id_customers_id_fk" FOREIGN KEY ("customer_id") REFERENCES "public"."customers"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "portal_link_uses_expires_idx" ON "portal_link_uses" USING btree ("expires_at");