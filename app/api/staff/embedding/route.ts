import type postgres from 'postgres';
import { json, withStaff } from '@/lib/auth/with-staff';
import { publicBaseUrl } from '@/lib/config';
import { brandingSchema, getEmbedSettings, listWidgetActions, originsSchema, replaceWidgetActions, saveEmbedSettings, widgetActionsSchema } from '@/lib/embed/embed-settings';
import { readBody } from '@/lib/staff-api/parse-input';

/** The automations the vendor's widget actions can run: its flows' automation names (published or not). */
async function automations(sql: postgres.Sql, vendorId: string) {
  return sql<{ automation: string; name: string; published: boolean }[]>`
    select automation, name, published_version is not null as published from flows where vendor_id = ${vendorId} and deleted_at is null order by automation`;
}

/** The vendor's embedding settings: branding, allowed origins, widget actions, and what the snippets need. */
export const GET = withStaff(async ({ sql, vendorId }) => {
  const [settings, actions, flows] = await Promise.all([getEmbedSettings(sql, vendorId), listWidgetActions(sql, vendorId), automations(sql, vendorId)]);
  return json({ settings, actions, automations: flows, patchbayUrl: publicBaseUrl() });
});

const Body = brandingSchema.extend({ allowedOrigins: originsSchema.default([]), actions: widgetActionsSchema.default([]) });

/** Replaces the settings and the widget actions as a whole (the page saves its form). */
export const PUT = withStaff(async ({ req, sql, vendorId }) => {
  const body = await readBody(req, Body);
  const { actions, ...settings } = body;
  const saved = await saveEmbedSettings(sql, vendorId, settings);
  const list = await replaceWidgetActions(sql, vendorId, actions);
  return json({ settings: saved, actions: list, automations: await automations(sql, vendorId), patchbayUrl: publicBaseUrl() });
}, { role: 'editor' });
