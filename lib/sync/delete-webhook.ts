// Deletes announced by a CRM webhook (relayed to POST /api/v1/customers/{id}/webhooks/{system}/contacts-deleted):
// removed from every destination of that customer's sync at once, without waiting for the full comparison.
// Recorded as a sync run of kind "webhook" so the history shows them.
import type { KeyInput } from '../crypto/credentials';
import type postgres from 'postgres';
import type { ObjectKind } from '@/engine/connectors';
import { clientMessage } from '../db/database-error';
import { loadConnection } from '../engine-host/connections';
import { createCdpDestination } from './destinations/cdp-destination';
import type { SyncDestination } from './destinations/destination';
import { createPhonebookDestination, PHONE_SYSTEM } from './destinations/phonebook-destination';
import { readSyncConfig } from './sync-config';
import { syncedExternalId } from './sync-record';
import { readSyncState } from './sync-store';

export interface WebhookDeleteResult {
  syncRunId: string;
  received: number;
  deleted: Record<string, number>;
  problems: { destination: string; message: string }[];
}

export async function deleteFromWebhook(
  deps: { sql: postgres.Sql; encryptionKey: KeyInput; fetch: typeof fetch },
  customer: { id: string; defaultCountry: string },
  system: string,
  ids: { id: string; kind: ObjectKind }[],
): Promise<WebhookDeleteResult> {
  const { sql } = deps;
  const state = await readSyncState(sql, customer.id, system);
  const config = readSyncConfig(state?.config ?? {});
  const destinations: SyncDestination[] = [createCdpDestination(sql, { customerId: customer.id, defaultCountry: customer.defaultCountry, source: system })];
  const problems: WebhookDeleteResult['problems'] = [];
  if (config.destinations.includes('phonebook')) {
    try {
      const conn = await loadConnection(sql, deps.encryptionKey, customer.id, PHONE_SYSTEM);
      destinations.push(createPhonebookDestination(sql, { customerId: customer.id, defaultCountry: customer.defaultCountry, source: system, call: { fetch: deps.fetch, conn, requestLog: [] } }));
    } catch (err) {
      problems.push({ destination: 'phonebook', message: clientMessage(err, 'a delete webhook') });
    }
  }
  const externalIds = [...new Set(ids.map((x) => syncedExternalId(x.kind, x.id)))];
  const deleted: Record<string, number> = {};
  for (const d of destinations) {
    try {
      deleted[d.name] = await d.deleteIds(externalIds);
    } catch (err) {
      // The next full comparison removes what a failed call left behind.
      deleted[d.name] = 0;
      problems.push({ destination: d.name, message: clientMessage(err, 'a delete webhook') });
    }
  }
  const total = Math.max(0, ...Object.values(deleted));
  const [run] = await sql<{ id: string }[]>`
    insert into sync_runs (customer_id, sync_key, kind, status, trigger, read, deleted, skipped, failed, problems, stats, finished_at)
    values (${customer.id}, ${system}, 'webhook', ${problems.length ? 'failed' : 'succeeded'}, 'webhook', ${externalIds.length}, ${total},
            ${externalIds.length - total}, 0, ${JSON.stringify(problems)}::text::jsonb, ${JSON.stringify({ deletedBy: deleted })}::text::jsonb, now())
    returning id`;
  return { syncRunId: run.id, received: externalIds.length, deleted, problems };
}
