// Shadow replay: before a new template version reaches customers, the trigger inputs of real runs of the version
// they run now are replayed through both versions as dry runs (ctx.dryRun: reads run, blocks that write report
// what they would have done, waits do not wait, nothing is recorded). Staff compare the answers and would-be
// writes side by side.
import { isDeepStrictEqual } from 'node:util';
import type postgres from 'postgres';
import type { RunResult, WouldDo } from '@/engine';
import { compileCached } from '../engine-host/automation-cache';
import type { EngineHost } from '../engine-host/host';
import { InvalidInput } from '../errors';
import { getTemplateVersion, templateNotFound } from './templates';

export interface ShadowSide { status: string; response: { status: number; body: unknown } | null; writes: (WouldDo & { nodeId: string })[]; error: string | null }
export interface ShadowCase {
  runId: string;
  customer: string;
  automation: string;
  startedAt: string;
  trigger: unknown;
  /** What the recorded run answered at the time. */
  recorded: { status: string; response: unknown };
  old: ShadowSide;
  new: ShadowSide;
  sameResponse: boolean;
  sameWrites: boolean;
}
export interface ShadowReport { fromVersion: number; toVersion: number; cases: ShadowCase[]; differing: number }

function side(r: RunResult): ShadowSide {
  return {
    status: r.status,
    response: r.response ? { status: r.response.status, body: r.response.body } : null,
    writes: r.steps.filter((s) => s.wouldDo).map((s) => ({ nodeId: s.nodeId, ...s.wouldDo! })),
    error: r.error?.message ?? null,
  };
}

const comparableWrites = (s: ShadowSide) => s.writes.map((w) => ({ what: w.what, system: w.system, params: w.params }));

/**
 * Replays up to `limit` recent recorded runs (live, finished) of `fromVersion`'s flows through `fromVersion` and
 * `toVersion`, each for its own customer with that customer's options.
 */
export async function shadowReplay(sql: postgres.Sql, host: EngineHost, p: { vendorId: string; templateId: string; fromVersion: number; toVersion: number; limit?: number }): Promise<ShadowReport> {
  const from = await getTemplateVersion(sql, p.vendorId, p.templateId, p.fromVersion);
  const to = await getTemplateVersion(sql, p.vendorId, p.templateId, p.toVersion);
  if (!from && !to) throw templateNotFound(p.templateId);
  if (!from) throw new InvalidInput(`The template has no version ${p.fromVersion}`, ['fromVersion'], {}, 'version_not_found');
  if (!to) throw new InvalidInput(`The template has no version ${p.toVersion}`, ['toVersion'], {}, 'version_not_found');
  const limit = Math.min(Math.max(p.limit ?? 20, 1), 100);
  const pairs = from.definition.flows.map((f) => ({ automation: f.automation, flowId: f.flowId, flowVersion: f.flowVersion }));
  const runs = await sql<{ id: string; automation: string; trigger: unknown; status: string; response: unknown; started_at: Date | string; customer_id: string; external_id: string; default_country: string; options: Record<string, unknown> | null }[]>`
    select r.id, r.automation, r.trigger, r.status, r.response, r.started_at, c.id as customer_id, c.external_id, c.default_country, ct.options
    from runs r
    join customers c on c.id = r.customer_id and c.vendor_id = ${p.vendorId}
    join json_to_recordset(${JSON.stringify(pairs)}::json) as f(automation text, "flowId" uuid, "flowVersion" int) on f."flowId" = r.flow_id and f."flowVersion" = r.flow_version
    left join customer_templates ct on ct.customer_id = c.id and ct.template_id = ${p.templateId}
    where r.vendor_id = ${p.vendorId} and r.mode = 'live' and r.status in ('succeeded', 'failed') and r.trigger is not null
    order by r.started_at desc limit ${limit}`;
  const load = async (def: typeof from.definition, automation: string) => {
    const f = def.flows.find((x) => x.automation === automation);
    if (!f) return null;
    const [v] = await sql<{ definition: unknown }[]>`select definition from flow_versions where flow_id = ${f.flowId} and version = ${f.flowVersion}`;
    return v ? compileCached(f.flowId, f.flowVersion, v.definition) : null;
  };
  const cases: ShadowCase[] = [];
  for (const r of runs) {
    const customer = { id: r.customer_id, defaultCountry: r.default_country.trim() };
    const oldFlow = await load(from.definition, r.automation);
    const newFlow = await load(to.definition, r.automation);
    const run = async (compiled: typeof oldFlow): Promise<ShadowSide> => {
      if (!compiled) return { status: 'missing', response: null, writes: [], error: `Version has no "${r.automation}" automation` };
      try {
        return side(await host.dryRun({ customer, compiled, options: { ...compiled.flow.options, ...(r.options ?? {}) }, trigger: r.trigger }));
      } catch (err) {
        return { status: 'failed', response: null, writes: [], error: (err as Error).message };
      }
    };
    const oldSide = await run(oldFlow);
    const newSide = await run(newFlow);
    cases.push({
      runId: r.id, customer: r.external_id, automation: r.automation, startedAt: new Date(r.started_at).toISOString(), trigger: r.trigger,
      recorded: { status: r.status, response: r.response }, old: oldSide, new: newSide,
      sameResponse: isDeepStrictEqual(oldSide.response, newSide.response),
      sameWrites: isDeepStrictEqual(comparableWrites(oldSide), comparableWrites(newSide)),
    });
  }
  return { fromVersion: p.fromVersion, toVersion: p.toVersion, cases, differing: cases.filter((c) => !c.sameResponse || !c.sameWrites).length };
}
