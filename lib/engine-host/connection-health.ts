// Runs keep connection health current: a connector block that succeeded marks its connection OK, one that
// failed with connection_auth marks it broken with the reason in plain words. Only connections the run
// actually loaded are touched, after the run, off its critical path.
import { PatchbayError, registry, type ConnectionHandle, type StepRecord } from '@/engine';
import { catalog } from '@/engine/connectors/catalog';
import { describeConnectionError } from '../connections/describe-connection-error';

export type HealthVerdict = { ok: true } | { ok: false; message: string };

/** Per connector system used by the steps: OK, or the first connection_auth failure (failures win). */
/** The connector a step used: the block's own, or for a generic crm.* block the system its `crm` param named. */
function stepConnector(step: StepRecord): string | undefined {
  const block = registry.get(step.blockId);
  if (!block) return undefined;
  if (block.connector) return block.connector;
  if (!block.connectorParam || !step.input || typeof step.input !== 'object') return undefined;
  const v = (step.input as Record<string, unknown>)[block.connectorParam];
  return typeof v === 'string' ? v : undefined;
}

export function healthFromSteps(steps: StepRecord[], connectorOf?: (blockId: string) => string | undefined): Map<string, { ok: true } | { ok: false; error: NonNullable<StepRecord['error']> }> {
  const out = new Map<string, { ok: true } | { ok: false; error: NonNullable<StepRecord['error']> }>();
  for (const step of steps) {
    const system = connectorOf ? connectorOf(step.blockId) : stepConnector(step);
    if (!system) continue;
    if (step.status === 'failed' && step.error?.code === 'connection_auth') out.set(system, { ok: false, error: step.error });
    else if (step.status === 'succeeded' && !out.has(system)) out.set(system, { ok: true });
  }
  return out;
}

export async function reportRunHealth(steps: StepRecord[], used: Map<string, Promise<ConnectionHandle>>): Promise<void> {
  if (!used.size) return;
  for (const [system, verdict] of healthFromSteps(steps)) {
    const pending = used.get(system);
    if (!pending) continue;
    const conn = await pending.catch(() => null);
    if (!conn) continue;
    if (verdict.ok) { await conn.reportHealth(true); continue; }
    const name = catalog[system]?.connector.name ?? system;
    const authKind = typeof conn.credentials.accessToken === 'string' ? 'oauth2' : 'apiKey';
    const err = new PatchbayError(verdict.error.code, verdict.error.message, { details: verdict.error.details });
    await conn.reportHealth(false, describeConnectionError(err, { name, authKind, baseUrl: conn.baseUrl }));
  }
}
