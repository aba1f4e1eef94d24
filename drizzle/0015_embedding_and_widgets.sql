CREATE TABLE "vendor_embed_settings" (
	"vendor_id" uuid PRIMARY KEY NOT NULL,
	"brand_name" text,
	"logo" text,
	"primary_color" text,
	"accent_color" text,
	"allowed_origins" text[] DEFAULT '{}' NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "vendor_embed_settings" ADD CONSTRAINT "vendor_embed_settings_vendor_id_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."vendors"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE TABLE "widget_actions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"vendor_id" uuid NOT NULL,
	"key" text NOT NULL,
	"label" text NOT NULL,
	"automation" text NOT NULL,
	"position" integer DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "widget_actions" ADD CONSTRAINT "widget_actions_vendor_id_vendors_id_fk" FOREIGN KEY ("vendor_id") REFERENCES "public"."vendors"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
CREATE UNIQUE INDEX "widget_actions_vendor_key_uq" ON "widget_actions" USING btree ("vendor_id","key");
