-- Routing answered on the webhook (issue 16): why a run answered its flow's fallback (`failed` or `deadline`),
-- a per-integration deadline and the phone-system events an integration answers synchronously, and the answer
-- given to a webhook delivery (a re-delivery gets the same answer without a second run).
ALTER TABLE "runs" ADD COLUMN "fallback_reason" text;
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "deadline_ms" integer;
--> statement-breakpoint
ALTER TABLE "integrations" ADD COLUMN "answer_events" text[] NOT NULL DEFAULT '{}';
--> statement-breakpoint
ALTER TABLE "webhook_deliveries" ADD COLUMN "answer" json;
