// Runs a fixture flow with in-memory ports; engine tests assert each step's output.
import { compileFlow } from '../core/compile-flow';
import type { CallSessionPort } from '../core/call-session';
import type { CdpPort, ConnectionHandle, RunContext, SyncPort } from '../core/define-block';
import { PatchbayError } from '../core/errors';
import { runFlow, type RunOptions } from '../core/runner';
import { registry } from '../registry';
import { createMemoryCdp } from './memory-cdp';
import { memoryRenewCredentials } from './memory-credentials';

export interface FixtureOptions extends RunOptions {
  cdp?: CdpPort;
  customer?: { id: string; defaultCountry: string };
  options?: Record<string, unknown>;
  connections?: Record<string, Omit<ConnectionHandle, 'saveCredentials' | 'reportHealth'> & Partial<ConnectionHandle>>;
  now?: () => Date;
  fetch?: typeof fetch;
  /** A fake durable sync for flows that start one (sync.contacts). */
  sync?: SyncPort;
  /** A side-effect-free run (ctx.dryRun). */
  dryRun?: boolean;
  /** Call sessions (engine/testing/memory-calls.ts) for the call.* blocks and once-per-call writes. */
  calls?: CallSessionPort;
}

export function createTestContext(o: FixtureOptions = {}): RunContext {
  // One credential store per configured connection, shared by every get() of the run.
  const renewals = new WeakMap<object, NonNullable<ConnectionHandle['renewCredentials']>>();
  return {
    runId: 'test-run',
    mode: 'test',
    customer: o.customer ?? { id: 'cust-1', defaultCountry: 'US' },
    options: o.options ?? {},
    cdp: o.cdp ?? createMemoryCdp(o.customer?.defaultCountry ?? 'US'),
    fetch: o.fetch ?? fetch,
    connections: {
      async get(system) {
        const c = o.connections?.[system];
        if (!c) throw new PatchbayError('connection_missing', `No ${system} connection: connect ${system} first`);
        let renewCredentials = renewals.get(c);
        if (!renewCredentials) renewals.set(c, (renewCredentials = c.renewCredentials ?? memoryRenewCredentials(c.credentials, (next) => c.saveCredentials?.(next))));
        return { saveCredentials: async () => {}, reportHealth: async () => {}, ...c, renewCredentials } as ConnectionHandle;
      },
    },
    clock: { now: o.now ?? (() => new Date()) },
    log: () => {},
    requestLog: [],
    sync: o.sync,
    ...(o.dryRun ? { dryRun: true } : {}),
    calls: o.calls,
  };
}

export async function runFixture(flow: unknown, trigger: unknown, o: FixtureOptions = {}) {
  const compiled = compileFlow(flow, registry);
  // The flow's own option defaults under the given ones, as the host merges them.
  const ctx = createTestContext({ ...o, options: { ...compiled.flow.options, ...o.options } });
  const result = await runFlow(compiled, trigger, ctx, o);
  const byNode = Object.fromEntries(result.steps.map((s) => [s.nodeId, s]));
  return { ...result, byNode, ctx };
}
