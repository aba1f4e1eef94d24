// Automations that run on a schedule (user provisioning, nightly): an integration whose options — or its flow's
// default options — set `scheduleEveryMinutes` gets a queued run of its automation once that long has passed since
// its last scheduled run. One pg-boss cron job (`automation-tick`, every minute, once for the whole cluster)
// decides, under an advisory lock so two ticks never queue the same run; the run is a durable queued run like a
// webhook's (recorded first, then a `run-async` job), so a worker that dies mid-run does not lose it.
import type postgres from 'postgres';
import { resolveAutomation } from '../engine-host/automation-cache';
import type { EngineHost } from '../engine-host/host';
import { newRunId } from '../runs/run-id';
import { registerJobHandlers } from './runtime';

export const AUTOMATION_TICK = 'automation-tick';

/** Queues the scheduled runs that are due; returns their ids. Safe to call from several workers at once. */
export async function automationTick(sql: postgres.Sql, host: EngineHost, now = new Date()): Promise<string[]> {
  return sql.begin(async (tx) => {
    const [{ locked }] = await tx<{ locked: boolean }[]>`select pg_try_advisory_xact_lock(hashtext('patchbay:automation-tick')) as locked`;
    if (!locked) return [];
    const candidates = await tx<{ customer_id: string; vendor_id: string; automation: string }[]>`
      select i.customer_id, c.vendor_id, i.automation
      from integrations i
      join customers c on c.id = i.customer_id
      join flows f on f.id = i.flow_id and f.deleted_at is null
      join flow_versions fv on fv.flow_id = f.id and fv.version = coalesce(i.flow_version, f.published_version)
      where i.enabled and (i.options ? 'scheduleEveryMinutes' or (fv.definition -> 'options' ->> 'scheduleEveryMinutes') is not null)`;
    const started: string[] = [];
    for (const c of candidates) {
      const a = await resolveAutomation(sql, c.customer_id, c.automation);
      const every = Number(a?.options.scheduleEveryMinutes);
      if (!a || !Number.isFinite(every) || every < 1) continue;
      // Due when no scheduled run started within the interval (and none is still queued): manual runs do not move the schedule.
      const [recent] = await tx`
        select 1 from runs where customer_id = ${c.customer_id} and automation = ${c.automation} and trigger ->> 'scheduled' = 'true'
          and (started_at > ${now.toISOString()}::timestamptz - make_interval(mins => ${Math.round(every)}) or status = 'queued')
        limit 1`;
      if (recent) continue;
      const runId = newRunId();
      await host.recorder.recordNow({
        id: runId, vendorId: c.vendor_id, customerId: c.customer_id, flowId: a.flowId, flowVersion: a.version, automation: c.automation,
        mode: 'live', status: 'queued', trigger: { scheduled: true, at: now.toISOString(), everyMinutes: every }, response: null, error: null,
        startedAt: now, finishedAt: null, durationMs: null, steps: [],
      });
      if (!host.opts.enqueueRun) throw new Error('job engine not running');
      await host.opts.enqueueRun(runId);
      started.push(runId);
    }
    return started;
  });
}

export function registerScheduledAutomations(o: { sql: postgres.Sql; host: EngineHost; log: (m: string) => void }): void {
  registerJobHandlers(async (jobs) => {
    await jobs.work<object>(AUTOMATION_TICK, async () => {
      const started = await automationTick(o.sql, o.host);
      if (started.length) o.log(`automation tick: queued ${started.length} scheduled run(s)`);
    }, { pollingIntervalSeconds: 1 });
    await jobs.boss.createQueue(AUTOMATION_TICK).catch(() => {});
    await jobs.boss.schedule(AUTOMATION_TICK, '* * * * *', {}, { retryLimit: 0 }).catch((e) => o.log(`could not schedule the automation tick: ${(e as Error).message}`));
  });
}
