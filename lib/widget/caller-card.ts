// What the agent widget shows for the current call: the call session (when the agent desktop names the call),
// the caller from the customer's CDP (by the number given, else the call's remote party), the vendor's
// branding, and the widget actions whose automation this customer has enabled.
import type postgres from 'postgres';
import { toE164, type CdpContact } from '@/engine';
import { lookupByPhone } from '../cdp/pg-cdp';
import { readCallSession } from '../calls/call-sessions';
import { getEmbedSettings, listWidgetActions, type WidgetAction } from '../embed/embed-settings';
import type { CustomerRef } from '../tenancy/customers';

export interface CallerCard {
  customer: { id: string; name: string };
  brand: { name: string | null; primaryColor: string | null };
  /** The caller's number in E.164 (as given when it is not a valid number). */
  phone: string | null;
  call: { callId: string; state: string; direction: string | null; from: string | null; to: string | null; agentEmail: string | null; startedAt: string | null } | null;
  contact: Pick<CdpContact, 'source' | 'externalId' | 'displayName' | 'company' | 'email' | 'phones' | 'crmUrl' | 'custom'> | null;
  actions: { key: string; label: string; automation: string }[];
}

/** The widget actions this customer can run: those whose automation it has enabled (and published). */
export async function availableActions(sql: postgres.Sql, customer: CustomerRef): Promise<WidgetAction[]> {
  const [actions, enabled] = await Promise.all([
    listWidgetActions(sql, customer.vendorId),
    sql<{ automation: string }[]>`
      select i.automation from integrations i join flows f on f.id = i.flow_id
      where i.customer_id = ${customer.id} and i.enabled and f.deleted_at is null and coalesce(i.flow_version, f.published_version) is not null`,
  ]);
  const on = new Set(enabled.map((r) => r.automation));
  return actions.filter((a) => on.has(a.automation));
}

export async function buildCallerCard(sql: postgres.Sql, customer: CustomerRef, q: { phone?: string; callId?: string }): Promise<CallerCard> {
  const session = q.callId ? await readCallSession(sql, customer.id, q.callId) : null;
  const remote = session ? (session.call.direction === 'outbound' ? session.call.to : session.call.from) : null;
  const number = q.phone ?? remote ?? null;
  const e164 = number ? toE164(number, customer.defaultCountry) : null;
  const [contact, settings, actions] = await Promise.all([
    e164 ? lookupByPhone(sql, customer.id, e164) : Promise.resolve(null),
    getEmbedSettings(sql, customer.vendorId),
    availableActions(sql, customer),
  ]);
  return {
    customer: { id: customer.externalId, name: customer.name },
    brand: { name: settings.brandName, primaryColor: settings.primaryColor },
    phone: e164 ?? number,
    call: session ? {
      callId: session.callId, state: session.state, direction: session.call.direction, from: session.call.from, to: session.call.to,
      agentEmail: session.call.agentEmail, startedAt: session.call.startedAt,
    } : null,
    contact: contact ? {
      source: contact.source, externalId: contact.externalId, displayName: contact.displayName, company: contact.company,
      email: contact.email, phones: contact.phones, crmUrl: contact.crmUrl, custom: contact.custom,
    } : null,
    actions: actions.map((a) => ({ key: a.key, label: a.label, automation: a.automation })),
  };
}
