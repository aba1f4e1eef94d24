-- Templates: what a vendor offers its customers (the flows of one integration under fixed automation names, an
-- options schema with defaults, the connections it needs), versioned; customers enable them (customer_templates),
-- and new versions reach them by roll-outs (all, a canary share or a list; pinned customers never move).
CREATE TABLE "templates" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "vendor_id" uuid NOT NULL REFERENCES "vendors"("id") ON DELETE CASCADE,
  "slug" text NOT NULL,
  "name" text NOT NULL,
  "description" text NOT NULL DEFAULT '',
  "icon" text NOT NULL DEFAULT 'plug',
  "latest_version" integer NOT NULL DEFAULT 0,
  "published_version" integer,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL,
  "deleted_at" timestamp with time zone
);
--> statement-breakpoint
CREATE UNIQUE INDEX "templates_vendor_slug_uq" ON "templates" ("vendor_id", "slug") WHERE "deleted_at" IS NULL;
--> statement-breakpoint
CREATE TABLE "template_versions" (
  "template_id" uuid NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "version" integer NOT NULL,
  "definition" jsonb NOT NULL,
  "message" text,
  "created_by" uuid REFERENCES "staff_users"("id") ON DELETE SET NULL,
  "published_at" timestamp with time zone,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  PRIMARY KEY ("template_id", "version")
);
--> statement-breakpoint
CREATE TABLE "customer_templates" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "customer_id" uuid NOT NULL REFERENCES "customers"("id") ON DELETE CASCADE,
  "template_id" uuid NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "version" integer NOT NULL,
  "previous_version" integer,
  "pinned" boolean NOT NULL DEFAULT false,
  "options" jsonb NOT NULL DEFAULT '{}'::jsonb,
  "status" text NOT NULL DEFAULT 'active',
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "customer_templates_customer_template_uq" ON "customer_templates" ("customer_id", "template_id");
--> statement-breakpoint
CREATE INDEX "customer_templates_template_idx" ON "customer_templates" ("template_id", "version");
--> statement-breakpoint
CREATE TABLE "template_rollouts" (
  "id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
  "template_id" uuid NOT NULL REFERENCES "templates"("id") ON DELETE CASCADE,
  "to_version" integer NOT NULL,
  "target" jsonb NOT NULL,
  "moved" jsonb NOT NULL DEFAULT '[]'::jsonb,
  "status" text NOT NULL DEFAULT 'applied',
  "created_by" uuid REFERENCES "staff_users"("id") ON DELETE SET NULL,
  "created_at" timestamp with time zone DEFAULT now() NOT NULL,
  "rolled_back_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "template_rollouts_template_idx" ON "template_rollouts" ("template_id", "created_at");
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "customer_template_id" uuid REFERENCES "customer_templates"("id") ON DELETE CASCADE;
