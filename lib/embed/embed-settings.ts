// A vendor's embedding settings: the branding its customer portal and agent widget show (name, logo, colours),
// the origins of its own product that may frame the portal and call the widget API, and the widget's actions
// (buttons that each run a named automation). Staff edit them on the Embed page (lib/api/staff/embedding.ts).
import type postgres from 'postgres';
import { z } from 'zod';
import { AUTOMATION_NAME } from '@/engine';
import { recordAudit, type AuditActor } from '../audit/record-audit';

const COLOR = /^#[0-9a-fA-F]{6}$/;
const LOGO = /^data:image\/(png|jpeg|gif|webp|svg\+xml);base64,[A-Za-z0-9+/]+={0,2}$/;
export const LOGO_MAX_CHARS = 140_000; // ~100 kB of image as base64

/**
 * An origin as browsers send it: scheme, host and port, nothing else. https only, except loopback hosts
 * (local development and the demo), since an embedded portal's cookies need a secure context.
 */
export function normaliseOrigin(raw: string): string | null {
  let u: URL;
  try { u = new URL(raw.trim()); } catch { return null; }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
  if (u.username || u.password || (u.pathname !== '/' && u.pathname !== '') || u.search || u.hash) return null;
  // Only plain host names: the origin goes into a CSP header, where `;` or a quote would start something else.
  if (!/^([a-z0-9-]+\.)*[a-z0-9-]+$|^\[[0-9a-f:.]+\]$/.test(u.hostname)) return null;
  if (u.protocol === 'http:' && !isLoopback(u.hostname)) return null;
  return u.origin;
}

export function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(hostname) || hostname === '[::1]';
}

export const brandingSchema = z.object({
  brandName: z.string().trim().max(80, 'at most 80 characters').nullable().default(null).transform((s) => s || null),
  logo: z.string().max(LOGO_MAX_CHARS, 'the logo is larger than 100 kB').regex(LOGO, 'a PNG, JPEG, GIF, WebP or SVG image as a data: URL').nullable().default(null),
  primaryColor: z.string().regex(COLOR, 'a colour like #1f6feb').nullable().default(null),
  accentColor: z.string().regex(COLOR, 'a colour like #1f6feb').nullable().default(null),
});

export const originsSchema = z.array(z.string().max(300).transform((s, ctx) => {
  const o = normaliseOrigin(s);
  if (!o) ctx.addIssue({ code: 'custom', message: `"${s.slice(0, 100)}" is not an origin: scheme and host only, like https://app.example.com (http only for localhost)` });
  return o ?? '';
})).max(20, 'at most 20 origins').transform((list) => [...new Set(list)]);

export const widgetActionSchema = z.object({
  key: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/, 'lower_snake_case, starting with a letter (at most 50 characters)'),
  label: z.string().trim().min(1, 'a label is required').max(60, 'at most 60 characters'),
  automation: z.string().regex(AUTOMATION_NAME, 'an automation name (lower_snake_case)'),
});

export const widgetActionsSchema = z.array(widgetActionSchema).max(12, 'at most 12 actions').superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((a, i) => {
    if (seen.has(a.key)) ctx.addIssue({ code: 'custom', message: `the key "${a.key}" is used twice`, path: [i, 'key'] });
    seen.add(a.key);
  });
});

export type Branding = z.output<typeof brandingSchema>;
export type WidgetAction = z.output<typeof widgetActionSchema>;

export interface EmbedSettings extends Branding {
  allowedOrigins: string[];
  updatedAt: string | null;
}

/** GET/PUT /api/staff/embedding */
export interface EmbeddingView {
  settings: EmbedSettings;
  actions: WidgetAction[];
  automations: { automation: string; name: string; published: boolean }[];
  patchbayUrl: string;
}

interface Row { brand_name: string | null; logo: string | null; primary_color: string | null; accent_color: string | null; allowed_origins: string[]; updated_at: Date | string }

export async function getEmbedSettings(sql: postgres.Sql, vendorId: string): Promise<EmbedSettings> {
  const rows = await sql<Row[]>`select brand_name, logo, primary_color, accent_color, allowed_origins, updated_at from vendor_embed_settings where vendor_id = ${vendorId}`;
  if (!rows.length) return { brandName: null, logo: null, primaryColor: null, accentColor: null, allowedOrigins: [], updatedAt: null };
  const r = rows[0];
  return { brandName: r.brand_name, logo: r.logo, primaryColor: r.primary_color, accentColor: r.accent_color, allowedOrigins: r.allowed_origins ?? [], updatedAt: new Date(r.updated_at).toISOString() };
}

export async function saveEmbedSettings(sql: postgres.Sql, vendorId: string, s: Branding & { allowedOrigins: string[] }): Promise<EmbedSettings> {
  await upsertEmbedSettings(sql, vendorId, s);
  originCache.delete(vendorId);
  return getEmbedSettings(sql, vendorId);
}

async function upsertEmbedSettings(sql: postgres.Sql | postgres.TransactionSql, vendorId: string, s: Branding & { allowedOrigins: string[] }): Promise<void> {
  const q = sql as postgres.Sql;
  await q`
    insert into vendor_embed_settings (vendor_id, brand_name, logo, primary_color, accent_color, allowed_origins, updated_at)
    values (${vendorId}, ${s.brandName}, ${s.logo}, ${s.primaryColor}, ${s.accentColor}, ${s.allowedOrigins}, now())
    on conflict (vendor_id) do update set brand_name = excluded.brand_name, logo = excluded.logo, primary_color = excluded.primary_color,
      accent_color = excluded.accent_color, allowed_origins = excluded.allowed_origins, updated_at = now()`;
}

// The origins are read on every framed portal page and widget request: cached per process for a few
// seconds (a change made on another process takes effect within that time).
export const ORIGIN_TTL_MS = 5_000;
const originCache = new Map<string, { origins: string[]; expires: number }>();

export async function allowedOrigins(sql: postgres.Sql, vendorId: string): Promise<string[]> {
  const now = Date.now();
  const hit = originCache.get(vendorId);
  if (hit && hit.expires > now) return hit.origins;
  const rows = await sql<{ allowed_origins: string[] }[]>`select allowed_origins from vendor_embed_settings where vendor_id = ${vendorId}`;
  const origins = rows[0]?.allowed_origins ?? [];
  if (originCache.size > 10_000) originCache.clear();
  originCache.set(vendorId, { origins, expires: now + ORIGIN_TTL_MS });
  return origins;
}

export async function listWidgetActions(sql: postgres.Sql, vendorId: string): Promise<WidgetAction[]> {
  return sql<WidgetAction[]>`select key, label, automation from widget_actions where vendor_id = ${vendorId} order by position, key`;
}

export async function getWidgetAction(sql: postgres.Sql, vendorId: string, key: string): Promise<WidgetAction | null> {
  const rows = await sql<WidgetAction[]>`select key, label, automation from widget_actions where vendor_id = ${vendorId} and key = ${key}`;
  return rows[0] ?? null;
}

/** Replaces the vendor's widget actions with `list`, in that order (one transaction). */
export async function replaceWidgetActions(sql: postgres.Sql, vendorId: string, list: WidgetAction[]): Promise<WidgetAction[]> {
  await sql.begin((tx) => writeWidgetActions(tx, vendorId, list));
  return listWidgetActions(sql, vendorId);
}

async function writeWidgetActions(tx: postgres.TransactionSql, vendorId: string, list: WidgetAction[]): Promise<void> {
  await tx`delete from widget_actions where vendor_id = ${vendorId}`;
  for (const [i, a] of list.entries()) {
    await tx`insert into widget_actions (vendor_id, key, label, automation, position) values (${vendorId}, ${a.key}, ${a.label}, ${a.automation}, ${i})`;
  }
}

/** What a save changed, for the audit row: field names, origins and action keys (never the logo itself). */
export function embeddingChanges(before: { settings: EmbedSettings; actions: WidgetAction[] }, after: Branding & { allowedOrigins: string[]; actions: WidgetAction[] }): Record<string, unknown> | null {
  const out: Record<string, unknown> = {};
  const fields = (['brandName', 'logo', 'primaryColor', 'accentColor'] as const).filter((k) => before.settings[k] !== after[k]);
  if (fields.length) out.changed = fields;
  const added = after.allowedOrigins.filter((o) => !before.settings.allowedOrigins.includes(o));
  const removed = before.settings.allowedOrigins.filter((o) => !after.allowedOrigins.includes(o));
  if (added.length || removed.length) out.allowedOrigins = { added, removed };
  const was = new Map(before.actions.map((a) => [a.key, a]));
  const now = new Map(after.actions.map((a) => [a.key, a]));
  const actions = {
    added: [...now.keys()].filter((k) => !was.has(k)),
    removed: [...was.keys()].filter((k) => !now.has(k)),
    changed: [...now.values()].filter((a) => was.has(a.key) && (was.get(a.key)!.label !== a.label || was.get(a.key)!.automation !== a.automation)).map((a) => a.key),
  };
  const order = before.actions.map((a) => a.key).join() !== after.actions.map((a) => a.key).join();
  if (actions.added.length || actions.removed.length || actions.changed.length || order) out.actions = { ...actions, reordered: order && !actions.added.length && !actions.removed.length };
  return Object.keys(out).length ? out : null;
}

/**
 * Saves the Embed page's form as a whole — branding, origins, widget actions — and its audit row
 * (`embed_settings.update`, naming what changed; none when nothing did) in one transaction.
 */
export async function saveEmbedding(sql: postgres.Sql, vendorId: string, input: Branding & { allowedOrigins: string[]; actions: WidgetAction[] }, actor: AuditActor): Promise<{ settings: EmbedSettings; actions: WidgetAction[] }> {
  await sql.begin(async (tx) => {
    // One save at a time per vendor, so the audit row describes the change against what was really there.
    await tx`select 1 from vendors where id = ${vendorId} for update`;
    const t = tx as unknown as postgres.Sql;
    const before = { settings: await getEmbedSettings(t, vendorId), actions: await listWidgetActions(t, vendorId) };
    const { actions, ...settings } = input;
    await upsertEmbedSettings(tx, vendorId, settings);
    await writeWidgetActions(tx, vendorId, actions);
    const details = embeddingChanges(before, input);
    if (details) await recordAudit(tx, { vendorId, actor, action: 'embed_settings.update', target: { kind: 'embed_settings', id: vendorId, label: 'Embed settings' }, details });
  });
  originCache.delete(vendorId);
  return { settings: await getEmbedSettings(sql, vendorId), actions: await listWidgetActions(sql, vendorId) };
}
