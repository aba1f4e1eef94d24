// Every block Patchbay knows, by id. Hand-written on purpose: adding a block is one line here
// (connector blocks come from engine/connectors/catalog.ts).
import type { AnyBlock } from './core/define-block';
import { cdpDelete } from './blocks/cdp-delete/block';
import { cdpLookup } from './blocks/cdp-lookup/block';
import { cdpUpsert } from './blocks/cdp-upsert/block';
import { callCreateTask } from './blocks/call-create-task/block';
import { callLogToCrm } from './blocks/call-log-to-crm/block';
import { callSession } from './blocks/call-session/block';
import { callStoreRecording } from './blocks/call-store-recording/block';
import { callWait } from './blocks/call-wait/block';
import { condition } from './blocks/condition/block';
import { delay } from './blocks/delay/block';
import { httpRequest } from './blocks/http-request/block';
import { phoneNormalize } from './blocks/phone-normalize/block';
import { respondJson } from './blocks/respond-json/block';
import { routeRules } from './blocks/route-rules/block';
import { syncContacts } from './blocks/sync-contacts/block';
import { triggerWebhook } from './blocks/trigger-webhook/block';
import { usersProvision } from './blocks/users-provision/block';
import { connectorBlocks } from './connectors/catalog';
import { crmBlocks } from './connectors/crm-blocks';
import { legacyCrmBlockMigrations } from './connectors/legacy-blocks';
import { migrateFlow } from './core/migrate-flow';

const coreBlocks: AnyBlock[] = [triggerWebhook, phoneNormalize, cdpLookup, cdpUpsert, cdpDelete, syncContacts, condition, routeRules, respondJson, delay, httpRequest, callSession, callWait, callStoreRecording, callLogToCrm, callCreateTask, usersProvision] as AnyBlock[];

const byId = new Map<string, AnyBlock>();

export function registerBlocks(list: AnyBlock[]): void {
  for (const b of list) {
    const key = `${b.id}@${b.version}`;
    if (byId.has(key)) throw new Error(`Block ${key} is registered twice`);
    byId.set(key, b);
    const latest = byId.get(b.id);
    if (!latest || latest.version < b.version) byId.set(b.id, b);
  }
}

registerBlocks(coreBlocks);
registerBlocks(connectorBlocks());
registerBlocks(crmBlocks);

/** `type` is `id` (latest version) or `id@version` (pinned). */
export const registry = {
  /** Flows saved with the per-CRM blocks the CRM contract replaced are migrated when loaded. */
  migrations: legacyCrmBlockMigrations,
  get(type: string): AnyBlock | undefined {
    return byId.get(type);
  },
  list(): AnyBlock[] {
    return [...byId.entries()].filter(([k]) => !k.includes('@')).map(([, b]) => b);
  },
};

/** Rewrites a stored flow's retired blocks to their successors; `changes` says what moved, one line per node. */
export function migrateStoredFlow<T>(definition: T) {
  return migrateFlow(definition, legacyCrmBlockMigrations);
}
