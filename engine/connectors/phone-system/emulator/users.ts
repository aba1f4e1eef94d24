// The reference phone system's users (agents): e-mail unique (case-insensitive, also among deactivated users),
// extension unique among active users, ids in creation order for cursor paging, deactivation instead of deletion
// (a deactivated user keeps their id and call history and can be reactivated).
import { syntheticPerson } from '../../kit/synthetic';
import { EmuError } from './store';

export const USER_ROLES = ['agent', 'supervisor', 'admin'] as const;

export interface PhoneUser {
  id: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  extension: string | null;
  role: (typeof USER_ROLES)[number];
  department: string | null;
  /** Who manages the user (e.g. "patchbay:hubspot" for users provisioned from a CRM); free text. */
  externalId: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
  deactivatedAt: string | null;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const EXT = /^\d{2,8}$/;

/** Checks a user body field by field (400 naming the field). `partial` for PATCH. */
export function validateUser(body: unknown, partial: boolean): Partial<PhoneUser> {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new EmuError(400, 'invalid_request', 'The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const out: Partial<PhoneUser> = {};
  if ('email' in b || !partial) {
    if (typeof b.email !== 'string' || !EMAIL.test(b.email.trim()) || b.email.length > 320) throw new EmuError(400, 'invalid_request', 'email must be an e-mail address');
    out.email = b.email.trim().toLowerCase();
  }
  for (const k of ['firstName', 'lastName', 'department', 'externalId'] as const) {
    if (!(k in b)) continue;
    const v = b[k];
    if (v !== null && (typeof v !== 'string' || v.length > 200)) throw new EmuError(400, 'invalid_request', `${k} must be a string of up to 200 characters, or null`);
    out[k] = typeof v === 'string' && v.trim() ? v.trim() : null;
  }
  if ('extension' in b) {
    const v = b.extension;
    if (v !== null && (typeof v !== 'string' || !EXT.test(v))) throw new EmuError(400, 'invalid_request', 'extension must be 2 to 8 digits, or null');
    out.extension = v as string | null;
  }
  if ('role' in b) {
    if (!USER_ROLES.includes(b.role as PhoneUser['role'])) throw new EmuError(400, 'invalid_request', `role must be one of ${USER_ROLES.join(', ')}`);
    out.role = b.role as PhoneUser['role'];
  }
  if ('active' in b) {
    if (typeof b.active !== 'boolean') throw new EmuError(400, 'invalid_request', 'active must be a boolean');
    out.active = b.active;
  }
  return out;
}

export class UserDirectory {
  readonly byId = new Map<string, PhoneUser>();
  private readonly order: string[] = [];
  private nextId = 1;
  stats = { creates: 0, updates: 0, deactivations: 0 };

  constructor(seed = 0) {
    for (let i = 0; i < seed; i++) {
      const p = syntheticPerson(9_000_000 + i);
      this.create({ email: `${p.firstName}.${p.lastName}@patchbay-demo.test`.toLowerCase().replace(/\s+/g, ''), firstName: p.firstName, lastName: p.lastName, extension: String(101 + i), role: 'agent' }, false);
    }
  }

  all(): PhoneUser[] { return this.order.map((id) => this.byId.get(id)!); }

  byEmail(email: string): PhoneUser | undefined {
    const e = email.trim().toLowerCase();
    return this.all().find((u) => u.email === e);
  }

  get(id: string): PhoneUser {
    const u = this.byId.get(id);
    if (!u) throw new EmuError(404, 'not_found', `User ${id} not found`);
    return u;
  }

  private checkExtension(ext: string | null | undefined, self: string | null) {
    if (!ext) return;
    const clash = this.all().find((u) => u.active && u.extension === ext && u.id !== self);
    if (clash) throw new EmuError(409, 'extension_taken', `Extension ${ext} belongs to ${clash.email}`);
  }

  create(input: Partial<PhoneUser>, count = true): PhoneUser {
    if (!input.email) throw new EmuError(400, 'invalid_request', 'email is required');
    const dup = this.byEmail(input.email);
    if (dup) throw new EmuError(409, 'email_taken', `A user with the e-mail ${input.email} exists (id ${dup.id}${dup.active ? '' : ', deactivated'})`);
    this.checkExtension(input.extension, null);
    const now = new Date().toISOString();
    const u: PhoneUser = {
      id: String(this.nextId++), email: input.email, firstName: input.firstName ?? null, lastName: input.lastName ?? null, extension: input.extension ?? null,
      role: input.role ?? 'agent', department: input.department ?? null, externalId: input.externalId ?? null, active: true, createdAt: now, updatedAt: now, deactivatedAt: null,
    };
    this.byId.set(u.id, u);
    this.order.push(u.id);
    if (count) this.stats.creates++;
    return u;
  }

  update(id: string, patch: Partial<PhoneUser>): PhoneUser {
    const u = this.get(id);
    if (patch.email && patch.email !== u.email && this.byEmail(patch.email)) throw new EmuError(409, 'email_taken', `A user with the e-mail ${patch.email} exists`);
    const willBeActive = patch.active ?? u.active;
    if (willBeActive) this.checkExtension(patch.extension === undefined ? u.extension : patch.extension, u.id);
    const next: PhoneUser = { ...u, ...patch, updatedAt: new Date().toISOString() };
    if (patch.active === true && !u.active) next.deactivatedAt = null;
    if (patch.active === false && u.active) next.deactivatedAt = next.updatedAt;
    this.byId.set(id, next);
    this.stats.updates++;
    return next;
  }

  deactivate(id: string): PhoneUser {
    const u = this.get(id);
    if (!u.active) return u; // already: no change, no count
    const now = new Date().toISOString();
    const next = { ...u, active: false, deactivatedAt: now, updatedAt: now };
    this.byId.set(id, next);
    this.stats.deactivations++;
    return next;
  }

  /** Users after `afterId` in creation order, filtered. */
  pageAfter(afterId: number, limit: number, filter: (u: PhoneUser) => boolean): { items: PhoneUser[]; more: boolean } {
    const rest = this.all().filter((u) => Number(u.id) > afterId && filter(u));
    return { items: rest.slice(0, limit), more: rest.length > limit };
  }
}
