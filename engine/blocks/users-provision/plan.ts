// User provisioning as a plan: the directory's users (a CRM's users, a CSV, a JSON/CSV document over HTTP) against
// the phone system's users, compared by e-mail. The plan is what a dry-run lists and what the real run applies,
// so both say the same. Patchbay deactivates only users it manages (their externalId is `patchbay:<source>`),
// adopts an existing user with the same e-mail instead of creating a second one, and never reactivates a user
// someone deactivated by hand.
import type { PhoneUserFields, PhoneUserRecord } from '../../connectors/phone-system/users';

export interface DirectoryUser {
  email: string;
  firstName?: string | null;
  lastName?: string | null;
  extension?: string | null;
  role?: string | null;
  department?: string | null;
  /** false: the directory says this person left (a deactivated CRM user). */
  active?: boolean;
}

export type FieldChange = { from: string | boolean | null; to: string | boolean | null };
export type Change =
  | { action: 'create'; email: string; fields: PhoneUserFields }
  | { action: 'update' | 'reactivate'; email: string; userId: string; fields: Record<string, FieldChange> }
  | { action: 'deactivate'; email: string; userId: string; reason: string };

export interface Plan {
  changes: Change[];
  unchanged: number;
  problems: { email: string; reason: string }[];
  /** Set when the deactivations pass the threshold: they are listed but not applied. */
  blocked: string | null;
}

export interface PlanOptions {
  /** The directory's name, part of the marker on the users Patchbay manages. */
  source: string;
  deactivateMissing: boolean;
  /** Only e-mails of these domains are managed (null: all). */
  domains: string[] | null;
  defaultRole: string;
  /** Share of the managed active users one run may deactivate (0.2 = 20%); more is blocked unless allowed. */
  maxDeactivateShare: number;
  allowMassDeactivate: boolean;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const FIELDS = ['firstName', 'lastName', 'extension', 'role', 'department'] as const;

export const managedMarker = (source: string) => `patchbay:${source}`;

export function planProvisioning(directory: DirectoryUser[], current: PhoneUserRecord[], o: PlanOptions): Plan {
  const marker = managedMarker(o.source);
  const problems: Plan['problems'] = [];
  const inDomain = (email: string) => !o.domains?.length || o.domains.some((d) => email.endsWith(`@${d.toLowerCase().replace(/^@/, '')}`));
  const wanted = new Map<string, DirectoryUser>();
  for (const d of directory) {
    const email = (d.email ?? '').trim().toLowerCase();
    if (!EMAIL.test(email)) { problems.push({ email: String(d.email ?? ''), reason: 'not an e-mail address: skipped' }); continue; }
    if (!inDomain(email)) continue;
    if (wanted.has(email)) problems.push({ email, reason: 'listed twice in the directory: the later entry wins' });
    wanted.set(email, { ...d, email });
  }
  const byEmail = new Map(current.map((u) => [u.email.toLowerCase(), u]));
  const changes: Change[] = [];
  let unchanged = 0;
  for (const d of wanted.values()) {
    const u = byEmail.get(d.email);
    if (d.active === false) {
      if (u?.active && u.externalId === marker) changes.push({ action: 'deactivate', email: d.email, userId: u.id, reason: 'deactivated in the directory' });
      else unchanged++;
      continue;
    }
    const desired: PhoneUserFields = {};
    for (const k of FIELDS) { const v = d[k]; if (v !== undefined && v !== null && v !== '') desired[k] = String(v).trim(); }
    if (!u) {
      changes.push({ action: 'create', email: d.email, fields: { ...desired, role: desired.role ?? o.defaultRole, externalId: marker } });
      continue;
    }
    if (!u.active && u.externalId !== marker) { problems.push({ email: d.email, reason: 'deactivated in the phone system by someone else: not reactivated' }); continue; }
    const diff: Record<string, FieldChange> = {};
    for (const k of FIELDS) if (desired[k] !== undefined && desired[k] !== u[k]) diff[k] = { from: u[k], to: desired[k] as string };
    if (u.externalId !== marker) diff.externalId = { from: u.externalId, to: marker };
    if (!u.active) changes.push({ action: 'reactivate', email: d.email, userId: u.id, fields: { ...diff, active: { from: false, to: true } } });
    else if (Object.keys(diff).length) changes.push({ action: 'update', email: d.email, userId: u.id, fields: diff });
    else unchanged++;
  }
  if (o.deactivateMissing) {
    for (const u of current) {
      if (u.active && u.externalId === marker && inDomain(u.email) && !wanted.has(u.email)) changes.push({ action: 'deactivate', email: u.email, userId: u.id, reason: 'no longer in the directory' });
    }
  }
  const managed = current.filter((u) => u.active && u.externalId === marker).length;
  const deactivations = changes.filter((c) => c.action === 'deactivate').length;
  const allowed = Math.max(1, Math.floor(managed * o.maxDeactivateShare));
  const blocked = deactivations > allowed && !o.allowMassDeactivate
    ? `${deactivations} of ${managed} managed users would be deactivated, more than ${Math.round(o.maxDeactivateShare * 100)}%: deactivations are not applied (set allowMassDeactivate to apply them)`
    : null;
  return { changes, unchanged, problems, blocked };
}

/** A CSV directory: a header row (email, first_name/firstName, last_name/lastName, extension, role, department, active), then one user per row. */
export function parseDirectoryCsv(text: string): DirectoryUser[] {
  const rows = parseCsv(text).filter((r) => r.some((c) => c.trim() !== ''));
  if (!rows.length) return [];
  const key = (h: string) => h.trim().toLowerCase().replace(/[\s_-]+/g, '');
  const header = rows[0].map(key);
  const col = (...names: string[]) => header.findIndex((h) => names.includes(h));
  const at = { email: col('email', 'emailaddress', 'mail'), firstName: col('firstname', 'givenname'), lastName: col('lastname', 'surname', 'familyname'), extension: col('extension', 'ext'), role: col('role'), department: col('department', 'team'), active: col('active', 'enabled') };
  if (at.email < 0) throw new Error('the CSV has no "email" column');
  return rows.slice(1).map((r) => {
    const v = (i: number) => (i >= 0 && r[i] !== undefined && r[i].trim() !== '' ? r[i].trim() : null);
    const active = v(at.active);
    return { email: v(at.email) ?? '', firstName: v(at.firstName), lastName: v(at.lastName), extension: v(at.extension), role: v(at.role), department: v(at.department), ...(active !== null ? { active: !/^(false|no|0|inactive)$/i.test(active) } : {}) };
  });
}

/** RFC 4180: commas, quoted fields with "" escapes and line breaks inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"' && field === '') quoted = true;
    else if (ch === ',') { row.push(field); field = ''; }
    else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field); rows.push(row); row = []; field = '';
    } else field += ch;
  }
  if (field !== '' || row.length) { row.push(field); rows.push(row); }
  return rows;
}

/** A JSON directory: an array of users, or `{ users: [...] }` / `{ data: [...] }`. */
export function parseDirectoryJson(body: unknown): DirectoryUser[] {
  const list = Array.isArray(body) ? body : body && typeof body === 'object' ? ((body as Record<string, unknown>).users ?? (body as Record<string, unknown>).data) : null;
  if (!Array.isArray(list)) throw new Error('expected an array of users, or {"users": [...]}');
  return list.map((x) => {
    const r = (x ?? {}) as Record<string, unknown>;
    const str = (v: unknown) => (v === null || v === undefined || v === '' ? null : String(v));
    return { email: String(r.email ?? ''), firstName: str(r.firstName ?? r.first_name), lastName: str(r.lastName ?? r.last_name), extension: str(r.extension), role: str(r.role), department: str(r.department), ...(typeof r.active === 'boolean' ? { active: r.active } : {}) };
  });
}
