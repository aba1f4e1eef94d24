// The Pipedrive emulator's data: persons, organizations, activities, notes and users in the API's own shapes,
// seeded deterministically from syntheticPerson, indexed by id, with sorted views rebuilt lazily (once per batch
// of changes) and a digit n-gram index for phone search, so 100,000 persons page and search quickly.
import { phoneFor, syntheticPerson } from '../../kit/synthetic';

// ---------- records (the API's own shapes) ----------

export interface EmuLabeled { value: string; primary: boolean; label: string }
export interface EmuAddress { value: string | null; country: string | null; admin_area_level_1: string | null; admin_area_level_2: string | null; locality: string | null; sublocality: string | null; route: string | null; street_number: string | null; postal_code: string | null }

export interface EmuPerson {
  id: number; name: string; first_name: string | null; last_name: string | null; owner_id: number; org_id: number | null;
  add_time: string; update_time: string; emails: EmuLabeled[]; phones: EmuLabeled[]; is_deleted: boolean; visible_to: number;
  label_ids: number[]; picture_id: number | null; postal_address: EmuAddress | null; notes: string | null; im: EmuLabeled[];
  birthday: string | null; job_title: string | null; custom_fields: Record<string, unknown>;
}

export interface EmuOrganization {
  id: number; name: string; owner_id: number; add_time: string; update_time: string; is_deleted: boolean; visible_to: number;
  address: EmuAddress | null; label_ids: number[]; custom_fields: Record<string, unknown>;
}

export interface EmuActivity {
  id: number; subject: string; type: string; owner_id: number; creator_user_id: number; is_deleted: boolean; add_time: string; update_time: string;
  deal_id: number | null; lead_id: string | null; person_id: number | null; org_id: number | null; project_id: number | null;
  due_date: string | null; due_time: string | null; duration: string | null; busy: boolean; done: boolean; marked_as_done_time: string | null;
  location: null; participants: { person_id: number; primary: boolean }[]; attendees: unknown[]; conference_meeting_client: string | null;
  conference_meeting_url: string | null; conference_meeting_id: string | null; public_description: string | null; priority: number | null; note: string | null;
}

export interface EmuNote {
  id: number; user_id: number; deal_id: number | null; person_id: number | null; org_id: number | null; lead_id: string | null; project_id: number | null;
  content: string; add_time: string; update_time: string; active_flag: boolean; pinned_to_deal_flag: boolean; pinned_to_person_flag: boolean;
  pinned_to_organization_flag: boolean; pinned_to_project_flag: boolean; last_update_user_id: number | null;
  person: { name: string } | null; organization: { name: string } | null; user: { email: string; name: string; icon_url: null; is_you: boolean };
}

export interface EmuUser {
  id: number; name: string; email: string; default_currency: string; locale: string; lang: number; phone: string | null; activated: boolean;
  last_login: string; created: string; modified: string | null; has_created_company: boolean; access: { app: string; admin: boolean; permission_set_id: string }[];
  active_flag: boolean; timezone_name: string; timezone_offset: string; role_id: number; icon_url: string | null; is_admin: number; is_deleted: boolean;
}

/** Key of the organizations' custom field of type `phone` (Pipedrive keys custom fields by 40-hex hashes). */
export const ORG_PHONE_FIELD_KEY = '6f1c2a0f3b5d4e8a9c7b1d2e3f4a5b6c7d8e9f01';
export const ORG_INDUSTRY_FIELD_KEY = '0b9e8d7c6a5f4e3d2c1b0a9f8e7d6c5b4a3f2e1d';

const COUNTRY_NAME: Record<string, string> = { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' };
export const ACTIVITY_TYPES = ['call', 'meeting', 'task', 'deadline', 'email', 'lunch'];
const USER_NAMES = ['Alex Agent', 'Billie Closer', 'Casey Support', 'Dana Sales', 'Eli Owner', 'Frankie Rep'];
export const INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

// ---------- time ----------

/** RFC 3339 to the second, as API v2 answers. */
export function rfc(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** v1's "YYYY-MM-DD HH:MM:SS" (UTC). */
export function v1Time(ms: number): string {
  return rfc(ms).replace('T', ' ').replace('Z', '');
}

// ---------- tables with lazily sorted views ----------

export type SortField = 'id' | 'update_time' | 'add_time';

export class Table<T extends { id: number; is_deleted: boolean }> {
  readonly rows = new Map<number, T>();
  private readonly upd = new Map<number, number>();
  private readonly add = new Map<number, number>();
  private views = new Map<SortField, T[]>();
  nextId = 1;

  put(rec: T, addMs: number, updMs: number) {
    this.rows.set(rec.id, rec);
    this.add.set(rec.id, addMs);
    this.upd.set(rec.id, updMs);
    if (rec.id >= this.nextId) this.nextId = rec.id + 1;
    this.views.clear();
  }

  touch(id: number, updMs: number) {
    this.upd.set(id, updMs);
    this.views.clear();
  }

  invalidate() {
    this.views.clear();
  }

  key(field: SortField, rec: T): number {
    return field === 'id' ? rec.id : field === 'update_time' ? this.upd.get(rec.id)! : this.add.get(rec.id)!;
  }

  updMs(id: number): number | undefined {
    return this.upd.get(id);
  }

  /** Live records sorted ascending by (field, id); rebuilt only after a change. */
  view(field: SortField): T[] {
    let v = this.views.get(field);
    if (!v) {
      v = [];
      for (const r of this.rows.values()) if (!r.is_deleted) v.push(r);
      if (field !== 'id' || !this.isInsertionSorted(v)) {
        const k = new Map<number, number>();
        for (const r of v) k.set(r.id, this.key(field, r));
        v.sort((a, b) => k.get(a.id)! - k.get(b.id)! || a.id - b.id);
      }
      this.views.set(field, v);
    }
    return v;
  }

  private isInsertionSorted(v: T[]): boolean {
    for (let i = 1; i < v.length; i++) if (v[i - 1].id > v[i].id) return false;
    return true;
  }

  /** First index whose (field, id) is ≥ (key, id). */
  lowerBound(field: SortField, key: number, id: number): number {
    const v = this.view(field);
    let lo = 0;
    let hi = v.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.key(field, v[mid]);
      if (k < key || (k === key && v[mid].id < id)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** A request the API would reject with 400 (the routes answer Pipedrive's validation error). */
export class BadRequest extends Error {}

export const digitsOf = (s: string) => s.replace(/\D/g, '');

export function labeledList(v: unknown, name: string, defaultLabel: string): EmuLabeled[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) throw new BadRequest(`${name}: Parameter '${name}' must be an array`);
  const out = v.map((x, i) => {
    if (!x || typeof x !== 'object' || typeof (x as { value?: unknown }).value !== 'string') throw new BadRequest(`${name}[${i}].value: must be a string`);
    const o = x as { value: string; primary?: unknown; label?: unknown };
    return { value: o.value, primary: o.primary === true, label: typeof o.label === 'string' ? o.label : defaultLabel };
  });
  if (out.length && !out.some((x) => x.primary)) out[0].primary = true;
  return out;
}

export type PipedriveStore = ReturnType<typeof createStore>;

export function createStore(o: { contacts: number; companies: number; users: number; companyDomain: string }) {
  const persons = new Table<EmuPerson>();
  const organizations = new Table<EmuOrganization>();
  const activities = new Table<EmuActivity>();
  const notes = new Map<number, EmuNote>();
  const users = new Map<number, EmuUser>();
  let nextNoteId = 1;
  let lastMs = 0;
  const phoneDigits = new Map<number, string[]>();

  /**
   * A change's update_time: the clock's current second, as Pipedrive stamps it, so the changes made within one
   * second share it. (Giving each change a second of its own ran update_time ahead of the clock under a burst of
   * edits, and an edit made elsewhere after the burst then looked older.) Never backwards, even when the seed lies
   * in the future of the real clock.
   */
  function stamp(): number {
    lastMs = Math.max(Math.floor(Date.now() / 1000) * 1000, lastMs);
    return lastMs;
  }

  const seedBase = Date.UTC(2025, 0, 1);
  for (let k = 0; k < Math.max(1, o.users); k++) {
    const name = USER_NAMES[k % USER_NAMES.length] + (k >= USER_NAMES.length ? ` ${k + 1}` : '');
    users.set(k + 1, {
      id: k + 1, name, email: `${name.toLowerCase().replace(/\s+/g, '.')}@example.com`, default_currency: 'USD', locale: 'en_US', lang: 1, phone: null,
      activated: true, last_login: v1Time(seedBase), created: v1Time(seedBase), modified: null, has_created_company: k === 0,
      access: [{ app: 'sales', admin: k === 0, permission_set_id: k === 0 ? 'admin' : 'regular' }], active_flag: true,
      timezone_name: 'Europe/London', timezone_offset: '+00:00', role_id: 1, icon_url: null, is_admin: k === 0 ? 1 : 0, is_deleted: false,
    });
  }

  function address(country: string, city: string | null): EmuAddress {
    const countryName = COUNTRY_NAME[country] ?? country;
    return { value: [city, countryName].filter(Boolean).join(', '), country: countryName, admin_area_level_1: null, admin_area_level_2: null, locality: city || null, sublocality: null, route: null, street_number: null, postal_code: null };
  }

  // Organizations carry the synthetic company names; their number is in the `phone` custom field, as typed.
  const orgByName = new Map<string, number>();
  for (let j = 0; j < o.companies; j++) {
    const s = syntheticPerson(j);
    const name = j < 105 ? s.company : `${s.company} ${Math.floor(j / 105) + 1}`;
    const t = s.updatedAt - 3_600_000;
    const phone = phoneFor(5_000_000 + j, s.country);
    organizations.put({
      id: j + 1, name, owner_id: (j % users.size) + 1, add_time: rfc(t), update_time: rfc(t), is_deleted: false, visible_to: 3,
      address: address(s.country, s.city), label_ids: [], custom_fields: { [ORG_PHONE_FIELD_KEY]: phone.typed, [ORG_INDUSTRY_FIELD_KEY]: 'Software' },
    }, t, t);
    orgByName.set(name, j + 1);
    lastMs = Math.max(lastMs, t);
  }

  // Persons: numbers stored as a user types them (national format), one modification per second.
  for (let i = 0; i < o.contacts; i++) {
    const s = syntheticPerson(i);
    const phones: EmuLabeled[] = [{ value: s.phoneAsTyped, primary: true, label: 'work' }];
    if (s.mobileAsTyped) phones.push({ value: s.mobileAsTyped, primary: false, label: 'mobile' });
    const rec: EmuPerson = {
      id: i + 1, name: `${s.firstName} ${s.lastName}`, first_name: s.firstName, last_name: s.lastName, owner_id: (i % users.size) + 1,
      org_id: orgByName.get(s.company) ?? null, add_time: rfc(s.updatedAt), update_time: rfc(s.updatedAt),
      emails: [{ value: s.email, primary: true, label: 'work' }], phones, is_deleted: false, visible_to: 3, label_ids: [], picture_id: null,
      postal_address: address(s.country, s.city), notes: null, im: [], birthday: null, job_title: null, custom_fields: {},
    };
    persons.put(rec, s.updatedAt, s.updatedAt);
    lastMs = Math.max(lastMs, s.updatedAt);
  }

  function digitsFor(p: EmuPerson): string[] {
    let d = phoneDigits.get(p.id);
    if (!d) { d = p.phones.map((x) => digitsOf(x.value)).filter(Boolean); phoneDigits.set(p.id, d); }
    return d;
  }

  // Phone search index: every GRAM-digit window of every stored number → person ids, built on the first search
  // and appended to on change (stale entries are harmless: candidates are re-checked). Keeps search at 100k fast.
  const GRAM = 6;
  let gramIndex: Map<string, number[]> | null = null;
  function indexPhones(id: number, digits: string[]) {
    if (!gramIndex) return;
    for (const d of digits) {
      for (let i = 0; i + GRAM <= d.length; i++) {
        const g = d.slice(i, i + GRAM);
        const list = gramIndex.get(g);
        if (list) { if (list[list.length - 1] !== id) list.push(id); } else gramIndex.set(g, [id]);
      }
    }
  }
  /** Persons whose numbers may contain these digits, or null when the term is too short for the index. */
  function phoneCandidates(termDigits: string): EmuPerson[] | null {
    if (termDigits.length < GRAM) return null;
    if (!gramIndex) {
      gramIndex = new Map();
      for (const p of persons.rows.values()) indexPhones(p.id, digitsFor(p));
    }
    const out: EmuPerson[] = [];
    for (const id of new Set(gramIndex.get(termDigits.slice(0, GRAM)) ?? [])) {
      const p = persons.rows.get(id);
      if (p) out.push(p);
    }
    return out;
  }

  function personPatch(rec: EmuPerson, body: Record<string, unknown>) {
    if (body.name !== undefined) {
      if (typeof body.name !== 'string' || !body.name.trim()) throw new BadRequest("name: Parameter 'name' must be a non-empty string");
      rec.name = body.name.trim();
      const parts = rec.name.split(/\s+/);
      rec.first_name = parts.length > 1 ? parts.slice(0, -1).join(' ') : parts[0];
      rec.last_name = parts.length > 1 ? parts[parts.length - 1] : null;
    }
    if (body.owner_id !== undefined) {
      if (!users.has(Number(body.owner_id))) throw new BadRequest(`owner_id: User ${String(body.owner_id)} not found`);
      rec.owner_id = Number(body.owner_id);
    }
    if (body.org_id !== undefined) {
      if (body.org_id !== null && !organizations.rows.get(Number(body.org_id))) throw new BadRequest(`org_id: Organization ${String(body.org_id)} not found`);
      rec.org_id = body.org_id === null ? null : Number(body.org_id);
    }
    if (body.emails !== undefined) rec.emails = labeledList(body.emails, 'emails', 'work');
    if (body.phones !== undefined) { rec.phones = labeledList(body.phones, 'phones', 'work'); phoneDigits.delete(rec.id); indexPhones(rec.id, digitsFor(rec)); }
    if (body.visible_to !== undefined) rec.visible_to = Number(body.visible_to);
    if (body.label_ids !== undefined) rec.label_ids = (body.label_ids as number[]) ?? [];
    if (body.custom_fields !== undefined) rec.custom_fields = { ...rec.custom_fields, ...(body.custom_fields as Record<string, unknown>) };
  }

  const store = {
    persons: persons.rows,
    organizations: organizations.rows,
    activities: activities.rows,
    notes,
    users,
    companyDomain: o.companyDomain,
    /** Internal tables (the routes use them). */
    tables: { persons, organizations, activities },
    stamp,
    digitsFor,
    phoneCandidates,
    personPatch,

    addPerson(input: { name: string; phones?: string[]; emails?: string[]; org_id?: number | null; owner_id?: number; country?: string }): EmuPerson {
      const t = stamp();
      const rec: EmuPerson = {
        id: persons.nextId, name: input.name, first_name: null, last_name: null, owner_id: input.owner_id ?? 1, org_id: input.org_id ?? null,
        add_time: rfc(t), update_time: rfc(t), emails: [], phones: [], is_deleted: false, visible_to: 3, label_ids: [], picture_id: null,
        postal_address: input.country ? address(input.country, null) : null, notes: null, im: [], birthday: null, job_title: null, custom_fields: {},
      };
      personPatch(rec, { name: input.name, phones: (input.phones ?? []).map((value, i) => ({ value, primary: i === 0, label: 'work' })), emails: (input.emails ?? []).map((value, i) => ({ value, primary: i === 0, label: 'work' })) });
      persons.put(rec, t, t);
      return rec;
    },
    /** Edits a person the way a user would in the web app: update_time moves forward. */
    updatePerson(id: number, patch: Partial<Pick<EmuPerson, 'name' | 'org_id' | 'owner_id' | 'job_title'>> & { phones?: string[] }): EmuPerson {
      const rec = persons.rows.get(id);
      if (!rec || rec.is_deleted) throw new Error(`no person ${id}`);
      const { phones, job_title, ...rest } = patch;
      personPatch(rec, { ...rest, ...(phones ? { phones: phones.map((value, i) => ({ value, primary: i === 0, label: 'work' })) } : {}) });
      if (job_title !== undefined) rec.job_title = job_title;
      const t = stamp();
      rec.update_time = rfc(t);
      persons.touch(id, t);
      return rec;
    },
    deletePerson(id: number) {
      const rec = persons.rows.get(id);
      if (!rec) return;
      rec.is_deleted = true;
      const t = stamp();
      rec.update_time = rfc(t);
      persons.touch(id, t);
    },
    addOrganization(input: { name: string; phone?: string; country?: string }): EmuOrganization {
      const t = stamp();
      const rec: EmuOrganization = {
        id: organizations.nextId, name: input.name, owner_id: 1, add_time: rfc(t), update_time: rfc(t), is_deleted: false, visible_to: 3,
        address: input.country ? address(input.country, null) : null, label_ids: [], custom_fields: input.phone ? { [ORG_PHONE_FIELD_KEY]: input.phone } : {},
      };
      organizations.put(rec, t, t);
      return rec;
    },
    updateOrganization(id: number, patch: { name?: string; phone?: string }): EmuOrganization {
      const rec = organizations.rows.get(id);
      if (!rec || rec.is_deleted) throw new Error(`no organization ${id}`);
      if (patch.name) rec.name = patch.name;
      if (patch.phone !== undefined) rec.custom_fields = { ...rec.custom_fields, [ORG_PHONE_FIELD_KEY]: patch.phone };
      const t = stamp();
      rec.update_time = rfc(t);
      organizations.touch(id, t);
      return rec;
    },
    deleteOrganization(id: number) {
      const rec = organizations.rows.get(id);
      if (!rec) return;
      rec.is_deleted = true;
      const t = stamp();
      rec.update_time = rfc(t);
      organizations.touch(id, t);
    },
    /** Call activities logged so far. */
    calls(): EmuActivity[] {
      return [...activities.rows.values()].filter((a) => a.type === 'call' && !a.is_deleted);
    },
    /** Open activities (tasks, call-backs). */
    openActivities(): EmuActivity[] {
      return [...activities.rows.values()].filter((a) => !a.done && !a.is_deleted);
    },
    notesFor(personId: number): EmuNote[] {
      return [...notes.values()].filter((n) => n.person_id === personId && n.active_flag);
    },
    newNoteId: () => nextNoteId++,
  };
  return store;
}
