// Staff API: the Embed page — the vendor's branding for the embedded portal and the agent widget, the origins of
// its product that may frame the portal and call the widget API, the widget's actions, and a short preview token
// for "Try the widget". Saving is audited (embed_settings.update, naming what changed).
import type postgres from 'postgres';
import { z } from 'zod';
import { staffActor } from '../../audit/record-audit';
import { publicBaseUrl } from '../../config';
import { brandingSchema, getEmbedSettings, listWidgetActions, originsSchema, saveEmbedding, widgetActionsSchema } from '../../embed/embed-settings';
import { NotFound } from '../../errors';
import { portalSecret } from '../../portal/portal-tokens';
import { resolveCustomer, URL_ID } from '../../tenancy/customers';
import { mintWidgetToken } from '../../widget/widget-tokens';
import { printable } from '../auth';
import { defineRoute } from '../route';
import { instant } from './shapes';

/** The preview token's lifetime: long enough to try the widget, short enough not to matter if it leaks. */
const PREVIEW_TTL_SEC = 600;

const actionView = z.object({ key: z.string(), label: z.string(), automation: z.string() });
const embeddingView = z.object({
  settings: z.object({
    brandName: z.string().nullable(), logo: z.string().nullable().describe('A data: URL'), primaryColor: z.string().nullable(), accentColor: z.string().nullable(),
    allowedOrigins: z.array(z.string()).describe('May frame the portal and call the widget API'), updatedAt: instant.nullable(),
  }),
  actions: z.array(actionView).describe('The widget\'s buttons, in order'),
  automations: z.array(z.object({ automation: z.string(), name: z.string(), published: z.boolean() })).describe('What an action can run: the vendor\'s flows'),
  patchbayUrl: z.string().describe('This installation\'s public URL, for the snippets'),
});

/** The automations the vendor's widget actions can run: its flows' automation names (published or not). */
async function automations(sql: postgres.Sql, vendorId: string) {
  return sql<{ automation: string; name: string; published: boolean }[]>`
    select automation, name, published_version is not null as published from flows where vendor_id = ${vendorId} and deleted_at is null order by automation`;
}

export const getEmbeddingRoute = defineRoute({
  operationId: 'staffGetEmbedding', method: 'GET', path: '/api/staff/embedding', tag: 'Staff: embedding',
  summary: 'The vendor\'s embedding settings: branding, allowed origins, widget actions, and what the snippets need',
  auth: { kind: 'staffSession', role: 'viewer' },
  responses: { 200: { description: 'The settings', schema: embeddingView } },
  async handler({ deps, staff }) {
    const [settings, actions, flows] = await Promise.all([getEmbedSettings(deps.sql, staff.vendorId), listWidgetActions(deps.sql, staff.vendorId), automations(deps.sql, staff.vendorId)]);
    return { status: 200, body: { settings, actions, automations: flows, patchbayUrl: publicBaseUrl() } };
  },
});

export const saveEmbeddingRoute = defineRoute({
  operationId: 'staffSaveEmbedding', method: 'PUT', path: '/api/staff/embedding', tag: 'Staff: embedding',
  summary: 'Replace the settings and the widget actions as a whole (the Embed page saves its form); audited',
  description: 'Allowed origins take effect in every process within 5 seconds (they are cached that long).',
  auth: { kind: 'staffSession', role: 'editor' },
  body: brandingSchema.extend({ allowedOrigins: originsSchema.default([]), actions: widgetActionsSchema.default([]) }),
  bodyLimit: 256 * 1024,
  responses: { 200: { description: 'The saved settings', schema: embeddingView } },
  async handler({ body, deps, staff }) {
    const saved = await saveEmbedding(deps.sql, staff.vendorId, body, staffActor(staff));
    return { status: 200, body: { ...saved, automations: await automations(deps.sql, staff.vendorId), patchbayUrl: publicBaseUrl() } };
  },
});

export const previewWidgetTokenRoute = defineRoute({
  operationId: 'staffCreateWidgetPreviewToken', method: 'POST', path: '/api/staff/embedding/widget-token', tag: 'Staff: embedding',
  summary: `A ${PREVIEW_TTL_SEC / 60}-minute widget token for one of the vendor's customers: the Embed page's "Try the widget"`,
  auth: { kind: 'staffSession', role: 'editor' },
  body: z.object({ customer: z.string().regex(URL_ID, "a customer's own id (letters, digits and . _ ~ -)") }),
  bodyLimit: 16 * 1024,
  responses: { 201: { description: 'The token', schema: z.object({ token: z.string().describe('pbw_…'), expiresAt: instant }) } },
  errors: { 404: 'customer_not_found' },
  async handler({ body, deps, staff }) {
    const c = await resolveCustomer(deps.sql, staff.vendorId, body.customer);
    if (!c) throw new NotFound('customer_not_found', `No customer "${printable(body.customer)}"`, { path: ['customer'] });
    return { status: 201, body: mintWidgetToken(portalSecret(), { id: c.id, vendorId: staff.vendorId, externalId: c.externalId }, PREVIEW_TTL_SEC) };
  },
});
