// The emulator's phonebook: entries by id in a Map, indexes by E.164 number and by external id, and ids
// in creation order for cursor paging, so 100,000 entries stay fast (no scans per request).
import { syntheticPerson } from '../../kit/synthetic';

export interface StoredPhone {
  number: string;
  type: string | null;
}

export interface StoredContact {
  id: string;
  externalId: string | null;
  source: string | null;
  firstName: string | null;
  lastName: string | null;
  company: string | null;
  isCompany: boolean;
  phones: StoredPhone[];
  email: string | null;
  crmUrl: string | null;
  customData: Record<string, string | number | boolean | null>;
  createdAt: string;
  updatedAt: string;
}

/** One entry of the change feed: the entry as it is now, or the tombstone of a deleted one. */
export interface PhonebookChange {
  seq: number;
  type: 'upsert' | 'delete';
  id: string;
  externalId: string | null;
  source: string | null;
  /** The entry's updatedAt, or when it was deleted. */
  changedAt: string;
  contact: StoredContact | null;
}

export type ContactInput = Partial<Omit<StoredContact, 'id' | 'createdAt' | 'updatedAt'>>;

export class EmuError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;
const TEXT_FIELDS = ['externalId', 'source', 'firstName', 'lastName', 'company', 'email', 'crmUrl'] as const;

/** Checks a contact body field by field, as a phone system's API would (400 with the field named). */
export function validateContact(body: unknown, partial: boolean): ContactInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw new EmuError(400, 'invalid_request', 'The body must be a JSON object');
  const b = body as Record<string, unknown>;
  const out: ContactInput = {};
  for (const k of TEXT_FIELDS) {
    if (!(k in b)) continue;
    const v = b[k];
    if (v !== null && typeof v !== 'string') throw new EmuError(400, 'invalid_request', `${k} must be a string or null`);
    if (typeof v === 'string' && v.length > 512) throw new EmuError(400, 'invalid_request', `${k} is longer than 512 characters`);
    out[k] = typeof v === 'string' && v.trim() ? v.trim() : null;
  }
  if ('isCompany' in b) {
    if (typeof b.isCompany !== 'boolean') throw new EmuError(400, 'invalid_request', 'isCompany must be a boolean');
    out.isCompany = b.isCompany;
  }
  if ('phones' in b) {
    if (!Array.isArray(b.phones)) throw new EmuError(400, 'invalid_request', 'phones must be an array');
    if (b.phones.length > 20) throw new EmuError(400, 'invalid_request', 'a contact has at most 20 phones');
    out.phones = b.phones.map((p, i) => {
      const number = p && typeof p === 'object' ? (p as Record<string, unknown>).number : undefined;
      const type = p && typeof p === 'object' ? (p as Record<string, unknown>).type : undefined;
      if (typeof number !== 'string' || !E164.test(number)) throw new EmuError(400, 'invalid_phone_number', `phones[${i}].number must be in E.164 format (+ and 7 to 15 digits), got ${JSON.stringify(number)}`);
      if (type !== undefined && type !== null && typeof type !== 'string') throw new EmuError(400, 'invalid_request', `phones[${i}].type must be a string`);
      return { number, type: typeof type === 'string' ? type : null };
    });
  }
  if ('customData' in b) {
    const cd = b.customData;
    if (cd !== null && (typeof cd !== 'object' || Array.isArray(cd))) throw new EmuError(400, 'invalid_request', 'customData must be an object');
    const custom: StoredContact['customData'] = {};
    for (const [k, v] of Object.entries((cd ?? {}) as Record<string, unknown>)) {
      if (v !== null && typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new EmuError(400, 'invalid_request', `customData.${k} must be a string, number, boolean or null`);
      custom[k] = v as string | number | boolean | null;
    }
    out.customData = custom;
  }
  if (!partial && !out.firstName && !out.lastName && !out.company) throw new EmuError(400, 'invalid_request', 'A contact needs a firstName, lastName or company');
  return out;
}

function externalKey(source: string | null, externalId: string): string {
  return `${source ?? ''}\u0000${externalId}`;
}

export class Phonebook {
  readonly byId = new Map<string, StoredContact>();
  /** Numeric ids in creation order (ascending); deleted ones are skipped when read. */
  private readonly order: number[] = [];
  private readonly byPhone = new Map<string, Set<string>>();
  private readonly byExternalId = new Map<string, Set<string>>();
  private readonly bySourceKey = new Map<string, string>();
  private live: StoredContact[] | null = null;
  private nextId = 1001;
  private clock = 0;
  // The change feed: every write takes the next sequence number; an entry (or its tombstone) is listed once,
  // at its latest sequence number, so a reader polling with its cursor sees each entry's last state once.
  private changeSeq = 0;
  private readonly changeLog: { seq: number; id: string }[] = [];
  private readonly currentSeq = new Map<string, number>();
  private readonly tombstones = new Map<string, PhonebookChange>();

  constructor(seed = 0, baseTime = Date.UTC(2026, 0, 1)) {
    for (let i = 0; i < seed; i++) {
      const p = syntheticPerson(i, baseTime);
      const phones: StoredPhone[] = [{ number: p.e164, type: 'work' }];
      // US mobiles of the generator share the main number (only the typed form differs).
      if (p.mobileE164 && p.mobileE164 !== p.e164) phones.push({ number: p.mobileE164, type: 'mobile' });
      this.insert({
        externalId: `crm-${i + 1}`, source: 'crm', firstName: p.firstName, lastName: p.lastName, company: p.company, isCompany: false,
        phones, email: p.email, crmUrl: `https://crm.example.com/contacts/crm-${i + 1}`, customData: { city: p.city },
      }, p.updatedAt);
    }
  }

  get size(): number {
    return this.byId.size;
  }

  private stamp(at?: number): string {
    // Strictly increasing, so two writes in one millisecond still order.
    this.clock = Math.max(this.clock + 1, at ?? Date.now());
    return new Date(this.clock).toISOString();
  }

  private index(c: StoredContact, on: boolean) {
    const touch = (map: Map<string, Set<string>>, key: string) => {
      let set = map.get(key);
      if (on) { if (!set) map.set(key, (set = new Set())); set.add(c.id); }
      else if (set) { set.delete(c.id); if (!set.size) map.delete(key); }
    };
    for (const p of c.phones) touch(this.byPhone, p.number);
    if (c.externalId) {
      touch(this.byExternalId, c.externalId);
      const k = externalKey(c.source, c.externalId);
      if (on) this.bySourceKey.set(k, c.id); else if (this.bySourceKey.get(k) === c.id) this.bySourceKey.delete(k);
    }
  }

  private assertUniqueSource(input: ContactInput, selfId?: string) {
    if (!input.externalId) return;
    const other = this.bySourceKey.get(externalKey(input.source ?? null, input.externalId));
    if (other && other !== selfId) throw new EmuError(409, 'duplicate_external_id', `Contact ${other} already has externalId ${input.externalId}${input.source ? ` from ${input.source}` : ''}`);
  }

  insert(input: ContactInput, at?: number): StoredContact {
    this.assertUniqueSource(input);
    const now = this.stamp(at);
    const c: StoredContact = {
      id: String(this.nextId++), externalId: input.externalId ?? null, source: input.source ?? null,
      firstName: input.firstName ?? null, lastName: input.lastName ?? null, company: input.company ?? null, isCompany: input.isCompany ?? false,
      phones: input.phones ?? [], email: input.email ?? null, crmUrl: input.crmUrl ?? null, customData: input.customData ?? {},
      createdAt: now, updatedAt: now,
    };
    this.byId.set(c.id, c);
    this.order.push(Number(c.id));
    this.index(c, true);
    this.live = null;
    this.logChange(c.id);
    return c;
  }

  /** PUT: every field replaced (missing ones emptied). */
  replace(id: string, input: ContactInput, at?: number): StoredContact {
    const c = this.get(id);
    return this.write(c, { externalId: null, source: null, firstName: null, lastName: null, company: null, isCompany: false, phones: [], email: null, crmUrl: null, customData: {}, ...input }, at);
  }

  /** PATCH: only the given fields. */
  patch(id: string, input: ContactInput, at?: number): StoredContact {
    const c = this.get(id);
    const next = { ...c, ...input };
    if (!next.firstName && !next.lastName && !next.company) throw new EmuError(400, 'invalid_request', 'A contact needs a firstName, lastName or company');
    return this.write(c, input, at);
  }

  private write(c: StoredContact, input: ContactInput, at?: number): StoredContact {
    this.assertUniqueSource({ externalId: input.externalId ?? c.externalId, source: 'source' in input ? input.source : c.source }, c.id);
    this.index(c, false);
    Object.assign(c, input, { updatedAt: this.stamp(at) });
    this.index(c, true);
    this.logChange(c.id);
    return c;
  }

  get(id: string): StoredContact {
    const c = this.byId.get(id);
    if (!c) throw new EmuError(404, 'not_found', `Contact ${id} not found`);
    return c;
  }

  remove(id: string): StoredContact {
    const c = this.get(id);
    this.index(c, false);
    this.byId.delete(id);
    this.live = null;
    const seq = this.logChange(id);
    this.tombstones.set(id, { seq, type: 'delete', id, externalId: c.externalId, source: c.source, changedAt: this.stamp(), contact: null });
    return c;
  }

  private logChange(id: string): number {
    const seq = ++this.changeSeq;
    this.changeLog.push({ seq, id });
    this.currentSeq.set(id, seq);
    return seq;
  }

  /** The latest sequence number (a reader starting now passes it as its cursor). */
  get lastSeq(): number {
    return this.changeSeq;
  }

  /** Up to `limit` changes after sequence number `after`, oldest first; `next` is where the reader continues. */
  changesAfter(after: number, limit: number): { items: PhonebookChange[]; next: number; more: boolean } {
    let lo = 0, hi = this.changeLog.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.changeLog[mid].seq <= after) lo = mid + 1; else hi = mid; }
    const items: PhonebookChange[] = [];
    let next = after;
    for (let i = lo; i < this.changeLog.length; i++) {
      const { seq, id } = this.changeLog[i];
      if (this.currentSeq.get(id) !== seq) { next = seq; continue; } // superseded by a later write
      if (items.length === limit) return { items, next, more: true };
      const c = this.byId.get(id);
      if (c) items.push({ seq, type: 'upsert', id, externalId: c.externalId, source: c.source, changedAt: c.updatedAt, contact: c });
      else { const t = this.tombstones.get(id); if (t) items.push(t); }
      next = seq;
    }
    return { items, next, more: false };
  }

  findByPhone(e164: string): StoredContact[] {
    return [...(this.byPhone.get(e164) ?? [])].map((id) => this.byId.get(id)!).sort((a, b) => Number(a.id) - Number(b.id));
  }

  findByExternalId(externalId: string): StoredContact[] {
    return [...(this.byExternalId.get(externalId) ?? [])].map((id) => this.byId.get(id)!).sort((a, b) => Number(a.id) - Number(b.id));
  }

  /** Up to `limit` entries with an id above `after`, and whether more follow. */
  pageAfter(after: number, limit: number): { items: StoredContact[]; more: boolean } {
    let lo = 0, hi = this.order.length;
    while (lo < hi) { const mid = (lo + hi) >>> 1; if (this.order[mid] <= after) lo = mid + 1; else hi = mid; }
    const items: StoredContact[] = [];
    for (let i = lo; i < this.order.length; i++) {
      const c = this.byId.get(String(this.order[i]));
      if (!c) continue;
      if (items.length === limit) return { items, more: true };
      items.push(c);
    }
    return { items, more: false };
  }

  /** Live entries in creation order (rebuilt lazily after adds and deletes), for offset paging. */
  all(): StoredContact[] {
    this.live ??= this.order.map((n) => this.byId.get(String(n))).filter((c): c is StoredContact => c !== undefined);
    return this.live;
  }
}
