-- One rate budget per customer per external system, shared by every process (API servers, workers, syncs and
-- real-time runs): lib/connections/rate-budget.ts. A window counter, moved forward by the system's own rate-limit
-- headers. UNLOGGED: a counter is not worth a WAL flush per CRM request (asks commit without waiting on the disk), and
-- after a crash it starts empty, which costs one probe, not a record.
CREATE UNLOGGED TABLE "rate_budgets" (
	"customer_id" uuid NOT NULL REFERENCES "customers"("id") ON DELETE cascade,
	"system" text NOT NULL,
	"window_started_at" timestamptz NOT NULL,
	"window_ends_at" timestamptz NOT NULL,
	-- requests let through in this window (ours) or, when the system's headers say more were made, theirs
	"used" integer NOT NULL DEFAULT 0,
	-- the system's limit per window, from its rate-limit headers (null until it told us)
	"lim" integer,
	-- the window's end was taken from the system's own reset (once per window: the first answer in it)
	"aligned" boolean NOT NULL DEFAULT false,
	"updated_at" timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY ("customer_id", "system")
);
--> statement-breakpoint
-- Asks for one request. Returns wait_ms 0 (go: counted) or the milliseconds to wait before asking again, and the
-- window the request was counted in (its start), which the answer's headers are matched against.
-- p_reserve: the share of the window kept back (0.3 for syncs, 0 for real-time work, which may use the reserve).
-- Until the system's headers named its limit, one request at a time for at most p_probe_ms, then no limit.
CREATE FUNCTION "patchbay_rate_acquire"(p_customer uuid, p_system text, p_reserve numeric, p_window_ms integer, p_probe_ms integer)
RETURNS TABLE (wait_ms integer, window_started_at timestamptz) LANGUAGE plpgsql AS $$
DECLARE
	b rate_budgets%ROWTYPE;
	t timestamptz := clock_timestamp();
BEGIN
	INSERT INTO rate_budgets (customer_id, system, window_started_at, window_ends_at, used)
	VALUES (p_customer, p_system, t, t + make_interval(secs => p_window_ms / 1000.0), 0)
	ON CONFLICT (customer_id, system) DO NOTHING;
	SELECT * INTO b FROM rate_budgets r WHERE r.customer_id = p_customer AND r.system = p_system FOR UPDATE;
	IF b.window_ends_at <= t THEN
		b.window_started_at := t;
		-- until the first answer tells the system's own end: a default window, a little longer so its window turned too
		b.window_ends_at := t + make_interval(secs => (p_window_ms + 100) / 1000.0);
		b.used := 0;
		b.aligned := false;
	END IF;
	IF b.lim IS NULL THEN
		IF b.used > 0 AND t < b.window_started_at + make_interval(secs => p_probe_ms / 1000.0) THEN
			RETURN QUERY SELECT 50, b.window_started_at;
			RETURN;
		END IF;
	ELSIF b.used >= b.lim - ceil(b.lim * p_reserve) THEN
		RETURN QUERY SELECT greatest(1, ceil(extract(epoch FROM (b.window_ends_at - t)) * 1000))::integer, b.window_started_at;
		RETURN;
	END IF;
	UPDATE rate_budgets r SET window_started_at = b.window_started_at, window_ends_at = b.window_ends_at, used = b.used + 1, aligned = b.aligned, updated_at = t
	WHERE r.customer_id = p_customer AND r.system = p_system;
	RETURN QUERY SELECT 0, b.window_started_at;
END $$;
--> statement-breakpoint
-- What an answer's rate-limit headers said, for a request counted in window p_window: the limit, what is left
-- (counting every client of the account, so never lowering our count) and, from the window's first answer, when
-- the system's window ends (once per window, so systems that only tell the window's length do not stretch it with
-- every answer). An answer to a request of an earlier window only teaches the limit.
CREATE FUNCTION "patchbay_rate_observe"(p_customer uuid, p_system text, p_window timestamptz, p_limit integer, p_remaining integer, p_reset_ms integer)
RETURNS void LANGUAGE sql AS $$
	UPDATE rate_budgets SET
		lim = coalesce(p_limit, lim),
		used = CASE WHEN window_started_at = p_window AND p_remaining IS NOT NULL AND coalesce(p_limit, lim) IS NOT NULL
			THEN greatest(used, coalesce(p_limit, lim) - p_remaining) ELSE used END,
		window_ends_at = CASE WHEN window_started_at = p_window AND p_reset_ms IS NOT NULL AND NOT aligned
			THEN clock_timestamp() + make_interval(secs => (p_reset_ms + 50) / 1000.0) ELSE window_ends_at END,
		aligned = aligned OR (window_started_at = p_window AND p_reset_ms IS NOT NULL),
		updated_at = clock_timestamp()
	WHERE customer_id = p_customer AND system = p_system
$$;
--> statement-breakpoint
-- Background runs (queued and resumed) carry the worker running them and a lease it renews; a run whose lease ran
-- out (its worker died) is queued again for another worker (lib/jobs/run-lease.ts).
ALTER TABLE "runs" ADD COLUMN "worker" text;
--> statement-breakpoint
ALTER TABLE "runs" ADD COLUMN "lease_until" timestamptz;
--> statement-breakpoint
CREATE INDEX "runs_lease_idx" ON "runs" USING btree ("lease_until") WHERE "status" = 'running' AND "lease_until" IS NOT NULL;
