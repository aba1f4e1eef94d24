// A local Salesforce org speaking the REST API v59.0 shapes this connector uses: SOQL /query with query
// locators (nextRecordsUrl …/query/01g…-2000, Sforce-Query-Options batchSize), SOSL /search, sObject rows
// (create, read, PATCH, DELETE) for Contact, Account, User and Task, /limits, bearer auth with Salesforce's
// INVALID_SESSION_ID body, Sforce-Limit-Info on every answer, 429 REQUEST_LIMIT_EXCEEDED past the configured
// budget, and the OAuth web-server flow at /services/oauth2/authorize and /token (answering instance_url).
// Phones are stored as a user typed them; SOSL phone search ignores formatting (see soql.ts).
import { randomBytes } from 'node:crypto';
import { startEmulator, type EmuHandler, type EmuRequest, type EmuResponse, type RunningEmulator, type CrmEmulatorOptions } from '../../kit/emulator-server';
import { phoneFor, syntheticPerson } from '../../kit/synthetic';
import { executeSelect, executeSosl, parseSoql, parseSosl, projectRecord, SoqlError, toMs, type FieldType, type SObjectSchema, type SoqlDataSource, type SRecord } from './soql';

// ---------- schema ----------

const SYSTEM_FIELDS: Record<string, FieldType> = {
  Id: 'id', IsDeleted: 'boolean', CreatedDate: 'datetime', CreatedById: 'reference', LastModifiedDate: 'datetime', LastModifiedById: 'reference', SystemModstamp: 'datetime',
};
/** Fields the API refuses to write ("field@Object" when only read-only on that object: Contact.Name is computed, Account.Name is not). */
const READ_ONLY = new Set(['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'IsClosed', 'CompletedDateTime', 'LastActivityDate', 'IsHighPriority', 'Name@Contact', 'Name@User', 'AccountId@Task']);

const SCHEMAS: Record<string, SObjectSchema & { required: string[]; createOnly: string[]; picklists: Record<string, string[]> }> = {
  Contact: {
    name: 'Contact', keyPrefix: '003',
    fields: {
      ...SYSTEM_FIELDS, AccountId: 'reference', Salutation: 'picklist', FirstName: 'string', LastName: 'string', Name: 'string',
      MailingStreet: 'textarea', MailingCity: 'string', MailingState: 'string', MailingPostalCode: 'string', MailingCountry: 'string',
      Phone: 'phone', Fax: 'phone', MobilePhone: 'phone', HomePhone: 'phone', OtherPhone: 'phone', AssistantPhone: 'phone', AssistantName: 'string',
      Email: 'email', Title: 'string', Department: 'string', LeadSource: 'picklist', Birthdate: 'date', Description: 'textarea', OwnerId: 'reference', LastActivityDate: 'date',
    },
    relationships: { Account: { field: 'AccountId', to: 'Account' }, Owner: { field: 'OwnerId', to: 'User' } },
    phoneFields: ['Phone', 'Fax', 'MobilePhone', 'HomePhone', 'OtherPhone', 'AssistantPhone'],
    nameFields: ['FirstName', 'LastName', 'Name', 'AssistantName'],
    emailFields: ['Email'],
    required: ['LastName'], createOnly: [], picklists: {},
  },
  Account: {
    name: 'Account', keyPrefix: '001',
    fields: {
      ...SYSTEM_FIELDS, Name: 'string', Type: 'picklist', ParentId: 'reference', BillingStreet: 'textarea', BillingCity: 'string', BillingState: 'string', BillingPostalCode: 'string', BillingCountry: 'string',
      ShippingCity: 'string', ShippingCountry: 'string', Phone: 'phone', Fax: 'phone', AccountNumber: 'string', Website: 'url', Industry: 'picklist', AnnualRevenue: 'double', NumberOfEmployees: 'int',
      Description: 'textarea', OwnerId: 'reference', LastActivityDate: 'date',
    },
    relationships: { Owner: { field: 'OwnerId', to: 'User' }, Parent: { field: 'ParentId', to: 'Account' } },
    phoneFields: ['Phone', 'Fax'],
    nameFields: ['Name', 'Website'],
    emailFields: [],
    required: ['Name'], createOnly: [], picklists: {},
  },
  User: {
    name: 'User', keyPrefix: '005',
    fields: { ...SYSTEM_FIELDS, Username: 'string', FirstName: 'string', LastName: 'string', Name: 'string', Email: 'email', IsActive: 'boolean', Title: 'string', Phone: 'phone', MobilePhone: 'phone', TimeZoneSidKey: 'picklist' },
    relationships: {},
    phoneFields: ['Phone', 'MobilePhone'],
    nameFields: ['FirstName', 'LastName', 'Name'],
    emailFields: ['Email'],
    required: ['LastName', 'Username', 'Email'], createOnly: [], picklists: {},
  },
  Task: {
    name: 'Task', keyPrefix: '00T',
    fields: {
      ...SYSTEM_FIELDS, WhoId: 'reference', WhatId: 'reference', AccountId: 'reference', Subject: 'string', ActivityDate: 'date', Status: 'picklist', Priority: 'picklist', IsHighPriority: 'boolean',
      OwnerId: 'reference', Description: 'textarea', Type: 'picklist', IsClosed: 'boolean', CallDurationInSeconds: 'int', CallType: 'picklist', CallDisposition: 'string', CallObject: 'string',
      ReminderDateTime: 'datetime', IsReminderSet: 'boolean', TaskSubtype: 'picklist', CompletedDateTime: 'datetime',
    },
    relationships: { Who: { field: 'WhoId', to: 'Contact' }, What: { field: 'WhatId', to: 'Account' }, Account: { field: 'AccountId', to: 'Account' }, Owner: { field: 'OwnerId', to: 'User' } },
    phoneFields: [],
    nameFields: ['Subject'],
    emailFields: [],
    required: ['Status', 'Priority'], createOnly: ['TaskSubtype'],
    picklists: {
      Status: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'],
      Priority: ['High', 'Normal', 'Low'],
      CallType: ['Inbound', 'Outbound', 'Internal'],
      TaskSubtype: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'],
      Type: ['Call', 'Email', 'Meeting', 'Other'],
    },
  },
  // The classic Note (key prefix 002): a title and body attached to one record through ParentId.
  Note: {
    name: 'Note', keyPrefix: '002',
    fields: { ...SYSTEM_FIELDS, ParentId: 'reference', Title: 'string', Body: 'textarea', IsPrivate: 'boolean', OwnerId: 'reference' },
    relationships: { Parent: { field: 'ParentId', to: 'Contact' }, Owner: { field: 'OwnerId', to: 'User' } },
    phoneFields: [],
    nameFields: ['Title'],
    emailFields: [],
    required: ['ParentId', 'Title'], createOnly: ['ParentId'], picklists: {},
  },
};

const SCHEMA_BY_LOWER = new Map(Object.values(SCHEMAS).map((s) => [s.name.toLowerCase(), s]));
const PREFIX_TO_TYPE = new Map(Object.values(SCHEMAS).map((s) => [s.keyPrefix, s.name]));
const B62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** 18-character id: key prefix, pod "5g", "0", a 9-digit base62 counter, then the case-safe checksum. */
export function salesforceId(prefix: string, n: number): string {
  let body = '';
  for (let i = 0, x = n; i < 9; i++, x = Math.floor(x / 62)) body = B62[x % 62] + body;
  return caseSafeId(prefix + '5g0' + body);
}

/** Appends the 3-character suffix that makes a 15-character id case-insensitively unique. */
export function caseSafeId(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let flags = 0;
    for (let j = 0; j < 5; j++) { const ch = id15[chunk * 5 + j]; if (ch >= 'A' && ch <= 'Z') flags |= 1 << j; }
    suffix += SUFFIX[flags];
  }
  return id15 + suffix;
}

/** Salesforce's JSON datetime: 2026-01-01T00:00:00.000+0000. */
function sfDateTime(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

const ORG_ID = '00D5g000004ABCDEAY';

// ---------- store ----------

export class SalesforceApiError extends Error {
  constructor(readonly status: number, readonly errorCode: string, message: string, readonly fields?: string[]) {
    super(message);
  }
}

export class SalesforceStore implements SoqlDataSource {
  private tables = new Map<string, Map<string, SRecord>>(Object.keys(SCHEMAS).map((k) => [k, new Map()]));
  private counters = new Map<string, number>(Object.keys(SCHEMAS).map((k) => [k, 1_000_000]));
  private modified = new Map<string, { records: SRecord[]; ms: number[] }>();
  private byId = new Map<string, SRecord[]>();
  private phones = new Map<string, Map<string, Set<string>>>(Object.keys(SCHEMAS).map((k) => [k, new Map()]));
  private lastStamp = 0;
  /** The API user: default owner and CreatedById of records written through the API. */
  apiUserId = '';

  schema(sobject: string): SObjectSchema | undefined {
    return SCHEMA_BY_LOWER.get(sobject.toLowerCase());
  }

  get(sobject: string, id: string): SRecord | undefined {
    // Tables are keyed by the case-sensitive 15-character id, so both id forms find the record.
    return this.tables.get(this.schema(sobject)?.name ?? '')?.get(id.slice(0, 15));
  }

  all(sobject: string): Iterable<SRecord> {
    return this.tables.get(this.schema(sobject)!.name)!.values();
  }

  list(sobject: string): SRecord[] {
    return [...this.all(sobject)];
  }

  count(sobject: string): number {
    return this.tables.get(this.schema(sobject)!.name)!.size;
  }

  sortedByModified(sobject: string): { records: SRecord[]; ms: number[] } {
    const name = this.schema(sobject)!.name;
    let cached = this.modified.get(name);
    if (!cached) {
      const keyed = [...this.all(name)].map((r) => ({ r, ms: toMs(r.LastModifiedDate) ?? 0 }));
      keyed.sort((a, b) => a.ms - b.ms || (a.r.Id < b.r.Id ? -1 : a.r.Id > b.r.Id ? 1 : 0));
      cached = { records: keyed.map((k) => k.r), ms: keyed.map((k) => k.ms) };
      this.modified.set(name, cached);
    }
    return cached;
  }

  sortedById(sobject: string): SRecord[] {
    const name = this.schema(sobject)!.name;
    let cached = this.byId.get(name);
    if (!cached) {
      cached = [...this.all(name)].sort((a, b) => (a.Id < b.Id ? -1 : a.Id > b.Id ? 1 : 0));
      this.byId.set(name, cached);
    }
    return cached;
  }

  phoneLookup(sobject: string, digits: string): Iterable<string> {
    return this.phones.get(this.schema(sobject)!.name)?.get(digits) ?? [];
  }

  /**
   * A change's LastModifiedDate/SystemModstamp: the clock's current second, as Salesforce stamps them, so the
   * changes made within one second share it. (Giving each change a second of its own ran the stamps ahead of the
   * clock under a burst of edits, and an edit made elsewhere after the burst then looked older.) Never backwards,
   * even after a test stamped a time of its own in the future.
   */
  private stamp(at?: number): number {
    if (at !== undefined) { this.lastStamp = Math.max(this.lastStamp, at); return at; }
    this.lastStamp = Math.max(Math.floor(Date.now() / 1000) * 1000, this.lastStamp);
    return this.lastStamp;
  }

  private index(name: string, rec: SRecord, add: boolean) {
    const idx = this.phones.get(name)!;
    for (const f of SCHEMAS[name].phoneFields) {
      const v = rec[f];
      if (typeof v !== 'string') continue;
      const digits = v.replace(/\D/g, '');
      if (!digits) continue;
      let set = idx.get(digits);
      if (add) { if (!set) idx.set(digits, (set = new Set())); set.add(rec.Id); }
      else if (set) { set.delete(rec.Id); if (!set.size) idx.delete(digits); }
    }
  }

  private derive(name: string, rec: SRecord) {
    if (name === 'Contact' || name === 'User') rec.Name = [rec.FirstName, rec.LastName].filter((x) => typeof x === 'string' && x).join(' ');
    if (name === 'Task') {
      rec.IsClosed = rec.Status === 'Completed';
      rec.IsHighPriority = rec.Priority === 'High';
      const who = typeof rec.WhoId === 'string' && rec.WhoId.startsWith('003') ? this.get('Contact', rec.WhoId) : undefined;
      rec.AccountId = (typeof rec.WhatId === 'string' && rec.WhatId.startsWith('001') ? rec.WhatId : (who?.AccountId as string | undefined)) ?? null;
    }
  }

  private invalidate(name: string) {
    this.modified.delete(name);
    this.byId.delete(name);
  }

  /** Inserts a record (no validation: tests and seeding). `at` sets CreatedDate/LastModifiedDate (epoch ms). */
  insert(sobject: string, fields: Record<string, unknown>, opts: { at?: number } = {}): SRecord {
    const schema = SCHEMAS[this.schema(sobject)!.name];
    const name = schema.name;
    const n = this.counters.get(name)! + 1;
    this.counters.set(name, n);
    const ms = this.stamp(opts.at);
    const id = salesforceId(schema.keyPrefix, n);
    const rec = { Id: id } as SRecord;
    for (const f of Object.keys(schema.fields)) if (f !== 'Id') rec[f] = null;
    Object.assign(rec, { IsDeleted: false, OwnerId: this.apiUserId || null }, fields, {
      Id: id, CreatedDate: sfDateTime(ms), LastModifiedDate: sfDateTime(ms), SystemModstamp: sfDateTime(ms),
      CreatedById: this.apiUserId || null, LastModifiedById: this.apiUserId || null,
    });
    if (name === 'Task') { rec.Priority ??= 'Normal'; rec.TaskSubtype ??= 'Task'; if (rec.Status === 'Completed') rec.CompletedDateTime = sfDateTime(ms); }
    this.derive(name, rec);
    this.tables.get(name)!.set(rec.Id.slice(0, 15), rec);
    this.index(name, rec, true);
    this.invalidate(name);
    return rec;
  }

  /** Updates fields and bumps LastModifiedDate (to `at` when given: tests create ties with it). */
  update(sobject: string, id: string, fields: Record<string, unknown>, opts: { at?: number } = {}): SRecord {
    const name = this.schema(sobject)!.name;
    const rec = this.get(name, id);
    if (!rec) throw new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    this.index(name, rec, false);
    Object.assign(rec, fields);
    const ms = this.stamp(opts.at);
    rec.LastModifiedDate = sfDateTime(ms);
    rec.SystemModstamp = sfDateTime(ms);
    if (name === 'Task' && rec.Status === 'Completed' && !rec.CompletedDateTime) rec.CompletedDateTime = sfDateTime(ms);
    this.derive(name, rec);
    this.index(name, rec, true);
    this.invalidate(name);
    return rec;
  }

  remove(sobject: string, id: string): boolean {
    const name = this.schema(sobject)!.name;
    const rec = this.get(name, id);
    if (!rec) return false;
    this.index(name, rec, false);
    this.tables.get(name)!.delete(rec.Id.slice(0, 15));
    this.invalidate(name);
    return true;
  }

  // Conveniences for tests.
  addContact(fields: Record<string, unknown>, opts?: { at?: number }) { return this.insert('Contact', fields, opts); }
  updateContact(id: string, fields: Record<string, unknown>, opts?: { at?: number }) { return this.update('Contact', id, fields, opts); }
  deleteContact(id: string) { return this.remove('Contact', id); }
  addAccount(fields: Record<string, unknown>, opts?: { at?: number }) { return this.insert('Account', fields, opts); }
  updateAccount(id: string, fields: Record<string, unknown>, opts?: { at?: number }) { return this.update('Account', id, fields, opts); }
  deleteAccount(id: string) { return this.remove('Account', id); }
  /** Tasks logged as calls (TaskSubtype = 'Call'), oldest first. */
  calls(): SRecord[] { return this.list('Task').filter((t) => t.TaskSubtype === 'Call'); }
  tasks(): SRecord[] { return this.list('Task'); }

  /** Checks a create/update body the way the API does and returns the fields to write. */
  validateWrite(sobject: string, body: unknown, mode: 'create' | 'update'): Record<string, unknown> {
    const schema = SCHEMAS[this.schema(sobject)!.name];
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be a JSON object of field values');
    const out: Record<string, unknown> = {};
    const readOnly: string[] = [];
    for (const [rawKey, value] of Object.entries(body as Record<string, unknown>)) {
      if (rawKey === 'attributes') continue;
      const key = Object.keys(schema.fields).find((f) => f.toLowerCase() === rawKey.toLowerCase()) ?? (/__c$/i.test(rawKey) ? rawKey : null);
      if (!key) throw new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${rawKey}' on sobject of type ${schema.name}`);
      if (READ_ONLY.has(key) || READ_ONLY.has(`${key}@${schema.name}`) || (mode === 'update' && schema.createOnly.includes(key))) { readOnly.push(key); continue; }
      const type = schema.fields[key] ?? 'string';
      const label = `${schema.name === 'Task' && key === 'WhoId' ? 'Name ID' : key}`;
      if (value === null) { out[key] = null; continue; }
      switch (type) {
        case 'int':
          if (typeof value !== 'number' || !Number.isInteger(value)) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of int from ${JSON.stringify(value)} value for field ${key}`);
          break;
        case 'double':
          if (typeof value !== 'number') throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of double from ${JSON.stringify(value)} value for field ${key}`);
          break;
        case 'boolean':
          if (typeof value !== 'boolean') throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of boolean from ${JSON.stringify(value)} value for field ${key}`);
          break;
        case 'date':
          if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of date from VALUE_STRING value ${String(value)} or request may be missing a required field`);
          break;
        case 'datetime':
          if (typeof value !== 'string' || toMs(value) === null) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of datetime from VALUE_STRING value ${String(value)}`);
          out[key] = sfDateTime(toMs(value)!);
          continue;
        case 'reference': case 'id': {
          if (typeof value !== 'string' || !/^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/.test(value)) throw new SalesforceApiError(400, 'MALFORMED_ID', `${label}: id value of incorrect type: ${String(value)}`, [key]);
          const targetType = PREFIX_TO_TYPE.get(value.slice(0, 3));
          if (key === 'WhoId' && targetType !== 'Contact' && value.slice(0, 3) !== '00Q') throw new SalesforceApiError(400, 'FIELD_INTEGRITY_EXCEPTION', `${label}: id value of incorrect type: ${value}`, [key]);
          const target = targetType ? this.get(targetType, value) : undefined;
          if (!target) throw new SalesforceApiError(400, 'INVALID_CROSS_REFERENCE_KEY', `invalid cross reference id`, [key]);
          out[key] = target.Id;
          continue;
        }
        case 'email':
          if (typeof value !== 'string' || !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new SalesforceApiError(400, 'INVALID_EMAIL_ADDRESS', `${key}: invalid email address: ${String(value)}`, [key]);
          break;
        default: {
          if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of string from ${Array.isArray(value) ? 'START_ARRAY' : 'START_OBJECT'} value for field ${key}`);
          const s = String(value);
          const max = type === 'textarea' ? 32000 : type === 'phone' ? 40 : 255;
          if (s.length > max) throw new SalesforceApiError(400, 'STRING_TOO_LONG', `${key}: data value too large: ${s.slice(0, 40)}… (max length=${max})`, [key]);
          const allowed = schema.picklists[key];
          if (allowed && !allowed.includes(s)) throw new SalesforceApiError(400, 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${key}: bad value for restricted picklist field: ${s}`, [key]);
          out[key] = s;
          continue;
        }
      }
      out[key] = value;
    }
    if (readOnly.length) throw new SalesforceApiError(400, 'INVALID_FIELD_FOR_INSERT_UPDATE', `Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`, readOnly);
    if (mode === 'create') {
      const defaults: Record<string, unknown> = schema.name === 'Task' ? { Priority: 'Normal', Status: 'Not Started' } : {};
      const missing = schema.required.filter((f) => (out[f] ?? defaults[f]) === undefined || (out[f] ?? defaults[f]) === null || (out[f] ?? defaults[f]) === '');
      if (missing.length) throw new SalesforceApiError(400, 'REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing);
      for (const [k, v] of Object.entries(defaults)) out[k] ??= v;
    }
    return out;
  }
}

// ---------- seeding ----------

function seed(store: SalesforceStore, o: { contacts: number; companies: number; users: number }) {
  const base = Date.UTC(2026, 0, 1);
  const userIds: string[] = [];
  for (let k = 0; k < Math.max(1, o.users); k++) {
    const p = syntheticPerson(k * 7 + 3);
    const u = store.insert('User', {
      FirstName: p.firstName, LastName: p.lastName, Email: k === 0 ? 'integration@patchbay-demo.example' : `agent${k}@patchbay-demo.example`,
      Username: k === 0 ? 'integration@patchbay-demo.example.org' : `agent${k}@patchbay-demo.example.org`, IsActive: true, Title: k === 0 ? 'Integration user' : 'Sales agent', TimeZoneSidKey: 'America/New_York',
    }, { at: base - 86_400_000 + k * 1000 });
    userIds.push(u.Id);
  }
  store.apiUserId = userIds[0];
  for (const id of userIds) { const u = store.get('User', id)!; u.OwnerId = null; u.CreatedById = userIds[0]; u.LastModifiedById = userIds[0]; }
  const ownerOf = (i: number) => userIds[userIds.length > 1 ? 1 + (i % (userIds.length - 1)) : 0];

  const accountByName = new Map<string, string>();
  const accountIds: string[] = [];
  for (let j = 0; j < o.companies; j++) {
    const p = syntheticPerson(j, base);
    // Company numbers come from a separate index range so they never equal a contact's number.
    const tel = phoneFor(5_000_000 + j, p.country);
    const a = store.insert('Account', {
      Name: p.company, Phone: tel.typed, Website: `https://www.${p.company.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.example`,
      Industry: ['Technology', 'Manufacturing', 'Finance', 'Retail', 'Telecommunications'][j % 5], Type: 'Customer',
      BillingCity: p.city, BillingCountry: { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' }[p.country], OwnerId: ownerOf(j),
    }, { at: p.updatedAt });
    accountIds.push(a.Id);
    if (!accountByName.has(p.company)) accountByName.set(p.company, a.Id);
  }

  for (let i = 0; i < o.contacts; i++) {
    const p = syntheticPerson(i, base);
    store.insert('Contact', {
      FirstName: p.firstName, LastName: p.lastName, Email: p.email, Phone: p.phoneAsTyped, MobilePhone: p.mobileAsTyped,
      AccountId: accountByName.get(p.company) ?? (accountIds.length ? accountIds[i % accountIds.length] : null),
      Title: ['Engineer', 'Director', 'Buyer', 'CTO', 'Office manager'][i % 5], Department: ['R&D', 'Operations', 'Purchasing', 'IT'][i % 4],
      MailingCity: p.city, MailingCountry: { US: 'United States', GB: 'United Kingdom', DE: 'Germany', FR: 'France' }[p.country], LeadSource: 'Web', OwnerId: ownerOf(i),
    }, { at: p.updatedAt });
  }
}

// ---------- HTTP ----------

export interface SalesforceEmulatorOptions extends CrmEmulatorOptions {
  /**
   * The org's API allocation for a rolling 24 hours (default 100,000), reported in Sforce-Limit-Info and
   * /limits; past it every API request answers 403 REQUEST_LIMIT_EXCEEDED, as Salesforce does.
   */
  dailyApiLimit?: number;
  /** Largest batch a query answers (Salesforce shrinks batches of wide records); default 2000. */
  maxBatchSize?: number;
}

export type SalesforceEmulator = RunningEmulator & { store: SalesforceStore };

function sfError(status: number, errorCode: string, message: string, fields?: string[]): EmuResponse {
  return { status, body: [{ message, errorCode, ...(fields ? { fields } : {}) }] };
}

const NOT_FOUND = () => sfError(404, 'NOT_FOUND', 'The requested resource does not exist');

interface Locator { sobject: string; records: SRecord[]; fields: import('./soql').FieldPath[]; batch: number; apiBase: string }

export async function startSalesforceEmulator(o: SalesforceEmulatorOptions = {}): Promise<SalesforceEmulator> {
  const store = new SalesforceStore();
  seed(store, { contacts: o.contacts ?? 200, companies: o.companies ?? Math.min(o.contacts ?? 200, 120), users: o.users ?? 5 });
  const dailyLimit = o.dailyApiLimit ?? 100_000;
  let rateLimitOn = (o.rateLimit ?? 0) > 0;
  let apiUsage = 0;
  let usageWindowStart = Date.now();
  const locators = new Map<string, Locator>();

  const version = (req: EmuRequest): string | null => {
    const v = req.params.version;
    const m = /^v(\d+)\.0$/.exec(v ?? '');
    return m && Number(m[1]) >= 20 && Number(m[1]) <= 62 ? v : null;
  };

  /** Wraps a handler: version check, Salesforce error bodies, and the usage header when no budget is set. */
  const h = (fn: (req: EmuRequest, apiBase: string) => EmuResponse | Promise<EmuResponse>): EmuHandler => async (req) => {
    if (Date.now() - usageWindowStart >= 86_400_000) { usageWindowStart = Date.now(); apiUsage = 0; }
    apiUsage++;
    let res: EmuResponse;
    const v = version(req);
    if (apiUsage > dailyLimit) res = sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    else if (!v) res = NOT_FOUND();
    else {
      try { res = await fn(req, `/services/data/${v}`); }
      catch (err) {
        if (err instanceof SoqlError) res = sfError(400, err.errorCode, err.message);
        else if (err instanceof SalesforceApiError) res = sfError(err.status, err.errorCode, err.message, err.fields);
        else throw err;
      }
    }
    if (!rateLimitOn) res = { ...res, headers: { 'sforce-limit-info': `api-usage=${apiUsage}/${dailyLimit}`, ...res.headers } };
    return res;
  };

  const sobjectName = (req: EmuRequest): string => {
    const s = store.schema(req.params.sobject);
    if (!s) throw new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    return s.name;
  };

  const batchSizeOf = (req: EmuRequest): number => {
    const m = /batchSize\s*=\s*(\d+)/i.exec(String(req.headers['sforce-query-options'] ?? ''));
    return Math.min(o.maxBatchSize ?? 2000, m ? Math.min(2000, Math.max(200, Number(m[1]))) : 2000);
  };

  const page = (id: string, loc: Locator, from: number, totalSize: number): EmuResponse => {
    const slice = loc.records.slice(from, from + loc.batch);
    const next = from + slice.length;
    const done = next >= loc.records.length;
    if (done) locators.delete(id);
    else {
      locators.delete(id); // re-insert keeps the map ordered by last use
      locators.set(id, loc);
      while (locators.size > 200) locators.delete(locators.keys().next().value!);
    }
    return {
      status: 200,
      body: {
        totalSize, done,
        ...(done ? {} : { nextRecordsUrl: `${loc.apiBase}/query/${id}-${next}` }),
        records: slice.map((r) => projectRecord(store, loc.sobject, r, loc.fields, loc.apiBase)),
      },
    };
  };

  const query = h((req, apiBase) => {
    const q = req.query.get('q');
    if (q === null) throw new SalesforceApiError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
    const spec = parseSoql(store, q);
    const rows = executeSelect(store, spec);
    if (spec.count) return { status: 200, body: { totalSize: rows.length, done: true, records: [] } };
    const id = '01g5g' + randomBytes(8).toString('hex').slice(0, 10) + 'AAA';
    return page(id, { sobject: spec.sobject, records: rows, fields: spec.fields, batch: batchSizeOf(req), apiBase }, 0, rows.length);
  });

  const queryMore = h((req) => {
    const m = /^(01g[A-Za-z0-9]+)-(\d+)$/.exec(req.params.locator ?? '');
    const loc = m ? locators.get(m[1]) : undefined;
    if (!m || !loc) throw new SalesforceApiError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
    return page(m[1], loc, Number(m[2]), loc.records.length);
  });

  const search = h((req, apiBase) => {
    const q = req.query.get('q');
    if (!q) throw new SalesforceApiError(400, 'MALFORMED_SEARCH', 'No search term found. The search term must be enclosed in braces.');
    const spec = parseSosl(store, q);
    return { status: 200, body: { searchRecords: executeSosl(store, spec, apiBase) } };
  });

  const create = h((req) => {
    const name = sobjectName(req);
    if (name === 'User') throw new SalesforceApiError(400, 'CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY', 'The emulator does not create users');
    const fields = store.validateWrite(name, req.body, 'create');
    const rec = store.insert(name, fields);
    return { status: 201, body: { id: rec.Id, success: true, errors: [] } };
  });

  const read = h((req, apiBase) => {
    const name = sobjectName(req);
    const rec = store.get(name, req.params.id);
    if (!rec) return NOT_FOUND();
    const schema = store.schema(name)!;
    const wanted = req.query.get('fields');
    const fields = wanted
      ? wanted.split(',').map((f) => f.trim()).filter(Boolean).map((f) => {
        const hit = Object.keys(schema.fields).find((k) => k.toLowerCase() === f.toLowerCase());
        if (!hit) throw new SalesforceApiError(400, 'INVALID_FIELD', `No such column '${f}' on sobject of type ${name}`);
        return { path: [hit], type: schema.fields[hit] };
      })
      : Object.entries(schema.fields).map(([f, type]) => ({ path: [f], type }));
    return { status: 200, body: projectRecord(store, name, rec, fields, apiBase) };
  });

  const patch = h((req) => {
    const name = sobjectName(req);
    const rec = store.get(name, req.params.id);
    if (!rec) return NOT_FOUND();
    const fields = store.validateWrite(name, req.body, 'update');
    store.update(name, rec.Id, fields);
    return { status: 204 };
  });

  // sObject Collections: PATCH /composite/sobjects updates up to 200 records in one request; with allOrNone false each
  // record succeeds or fails on its own (a deleted one: ENTITY_IS_DELETED), answered in the order sent.
  const collectionUpdate = h((req) => {
    const body = (req.body ?? {}) as { allOrNone?: unknown; records?: unknown };
    if (!Array.isArray(body.records)) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'records: an array of records is required');
    if (body.records.length > 200) throw new SalesforceApiError(400, 'EXCEEDED_ID_LIMIT', 'record limit reached. cannot submit more than 200 records into this call');
    const items = body.records.map((raw) => {
      const r = (raw ?? {}) as Record<string, unknown>;
      const type = String((r.attributes as { type?: unknown } | undefined)?.type ?? '');
      const schema = store.schema(type);
      if (!schema) throw new SalesforceApiError(400, 'INVALID_TYPE', `sObject type '${type}' is not supported`);
      const { attributes: _a, id, ...fields } = r;
      return { name: schema.name, id: String(id ?? ''), fields };
    });
    const checked = items.map((it) => ({ ...it, rec: store.get(it.name, it.id), write: store.validateWrite(it.name, it.fields, 'update') }));
    if (body.allOrNone === true && checked.some((c) => !c.rec)) {
      return { status: 200, body: checked.map((c) => ({ id: c.id, success: false, errors: [{ statusCode: c.rec ? 'ALL_OR_NONE_OPERATION_ROLLED_BACK' : 'ENTITY_IS_DELETED', message: c.rec ? 'Record rolled back because not all records were valid and the request was using AllOrNone header' : 'entity is deleted', fields: [] }] })) };
    }
    return {
      status: 200,
      body: checked.map((c) => {
        if (!c.rec) return { id: c.id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] };
        store.update(c.name, c.rec.Id, c.write);
        return { id: c.rec.Id, success: true, errors: [] };
      }),
    };
  });

  const del = h((req) => {
    const name = sobjectName(req);
    return store.remove(name, req.params.id) ? { status: 204 } : sfError(404, 'ENTITY_IS_DELETED', 'entity is deleted');
  });

  const limits = h(() => {
    const used = apiUsage;
    return {
      status: 200,
      body: {
        DailyApiRequests: { Max: dailyLimit, Remaining: Math.max(0, dailyLimit - used) },
        DailyBulkApiBatches: { Max: 15000, Remaining: 15000 },
        DataStorageMB: { Max: 1024, Remaining: 1000 },
        SingleEmail: { Max: 5000, Remaining: 5000 },
      },
    };
  });

  const resources = h((_req, apiBase) => ({
    status: 200,
    body: { limits: `${apiBase}/limits`, query: `${apiBase}/query`, search: `${apiBase}/search`, sobjects: `${apiBase}/sobjects` },
  }));

  const emu = await startEmulator({
    name: 'salesforce',
    routes: [
      ['GET', '/services/data', () => ({ status: 200, body: [{ label: "Winter '24", url: '/services/data/v59.0', version: '59.0' }] })],
      ['GET', '/services/data/:version', resources],
      ['GET', '/services/data/:version/limits', limits],
      ['GET', '/services/data/:version/query', query],
      ['GET', '/services/data/:version/query/:locator', queryMore],
      ['GET', '/services/data/:version/search', search],
      ['POST', '/services/data/:version/sobjects/:sobject', create],
      ['GET', '/services/data/:version/sobjects/:sobject/:id', read],
      ['PATCH', '/services/data/:version/sobjects/:sobject/:id', patch],
      ['DELETE', '/services/data/:version/sobjects/:sobject/:id', del],
      ['PATCH', '/services/data/:version/composite/sobjects', collectionUpdate],
    ],
    extractToken: (req) => {
      const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(String(req.headers.authorization ?? ''));
      return m ? m[1].trim() : null;
    },
    tokens: [o.token ?? 'dev-token'],
    unauthorized: () => ({ status: 401, headers: { 'www-authenticate': 'Token' }, body: [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }] }),
    notFound: NOT_FOUND,
    publicPaths: [/^\/services\/data\/?$/],
    rateLimit: {
      limit: o.rateLimit ?? 0,
      windowMs: o.rateWindowMs ?? 1000,
      headers: ({ limit, remaining }) => ({ 'sforce-limit-info': `api-usage=${limit - remaining}/${limit}` }),
      body: () => [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
    },
    oauth: o.oauth && {
      authorizePath: '/services/oauth2/authorize',
      tokenPath: '/services/oauth2/token',
      clientId: o.oauth.clientId,
      clientSecret: o.oauth.clientSecret,
      accessTokenTtlSec: o.accessTokenTtlSec,
      extraTokenFields: (baseUrl) => ({
        instance_url: baseUrl,
        id: `${baseUrl}/id/${ORG_ID}/${store.apiUserId}`,
        token_type: 'Bearer',
        issued_at: String(Date.now()),
        signature: randomBytes(32).toString('base64'),
        scope: 'api refresh_token',
      }),
    },
  }, o.port ?? 0);

  const setRateLimit = emu.setRateLimit;
  return {
    ...emu,
    setRateLimit(limit: number, windowMs?: number) { rateLimitOn = limit > 0; setRateLimit(limit, windowMs); },
    store,
  };
}
