// Patchbay's tables. Generated migrations live in drizzle/; never edit one that has landed.
import { sql } from 'drizzle-orm';
import { bigserial, boolean, char, doublePrecision, index, integer, json, jsonb, pgEnum, pgTable, primaryKey, real, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';

export const staffRole = pgEnum('staff_role', ['owner', 'editor', 'viewer']);
export const runStatus = pgEnum('run_status', ['queued', 'running', 'succeeded', 'failed', 'waiting', 'timeout']);

const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

export const vendors = pgTable('vendors', {
  id: uuid('id').primaryKey().defaultRandom(),
  slug: text('slug').notNull().unique(),
  name: text('name').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
});

export const staffUsers = pgTable('staff_users', {
  id: uuid('id').primaryKey().defaultRandom(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  email: text('email').notNull(),
  name: text('name').notNull(),
  passwordHash: text('password_hash').notNull(),
  role: staffRole('role').notNull().default('editor'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('staff_users_email_uq').on(sql`lower(${t.email})`)]);

export const customers = pgTable('customers', {
  id: uuid('id').primaryKey().defaultRandom(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  /** The vendor's own id for this customer, used in URLs. */
  externalId: text('external_id').notNull(),
  name: text('name').notNull(),
  defaultCountry: char('default_country', { length: 2 }).notNull().default('US'),
  createdAt: ts('created_at').notNull().defaultNow(),
  /** Support's "trace the next N runs" switch: that many runs are recorded in full whatever the policy. */
  traceRuns: integer('trace_runs').notNull().default(0),
  traceSetAt: ts('trace_set_at'),
}, (t) => [uniqueIndex('customers_vendor_external_uq').on(t.vendorId, t.externalId)]);

export const apiKeys = pgTable('api_keys', {
  id: uuid('id').primaryKey().defaultRandom(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  /** Null: a vendor key (all of the vendor's customers). Set: a key scoped to one customer. */
  customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  /** First characters, shown in the UI to tell keys apart. */
  prefix: text('prefix').notNull(),
  /** SHA-256 of the whole key; the key itself is never stored. */
  keyHash: text('key_hash').notNull().unique(),
  createdAt: ts('created_at').notNull().defaultNow(),
  revokedAt: ts('revoked_at'),
  /** Who created it: a staff member's e-mail, `operator` (CLI) or `seed`. */
  createdBy: text('created_by'),
  /** Set when the key was rotated: the key that replaced it. */
  replacedBy: uuid('replaced_by'),
});

export const flows = pgTable('flows', {
  id: uuid('id').primaryKey().defaultRandom(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  name: text('name').notNull(),
  automation: text('automation').notNull(),
  description: text('description'),
  latestVersion: integer('latest_version').notNull().default(0),
  /** The version the named automation URL runs; null while a draft. */
  publishedVersion: integer('published_version'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  deletedAt: ts('deleted_at'),
}, (t) => [index('flows_vendor_idx').on(t.vendorId, t.updatedAt)]);

export const flowVersions = pgTable('flow_versions', {
  id: uuid('id').primaryKey().defaultRandom(),
  flowId: uuid('flow_id').notNull().references(() => flows.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  /** `json`, not `jsonb`: a flow comes back with the key order its author gave it (respond bodies keep their shape). */
  definition: json('definition').notNull(),
  message: text('message'),
  createdBy: uuid('created_by').references(() => staffUsers.id, { onDelete: 'set null' }),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('flow_versions_flow_version_uq').on(t.flowId, t.version)]);

export const integrations = pgTable('integrations', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  flowId: uuid('flow_id').notNull().references(() => flows.id, { onDelete: 'cascade' }),
  automation: text('automation').notNull(),
  /** Pinned version; null follows the flow's published version (roll-outs). */
  flowVersion: integer('flow_version'),
  options: jsonb('options').notNull().default({}),
  /** Overrides the flow's recording policy for this customer ({policy, share}); null: the flow's. */
  recording: jsonb('recording'),
  enabled: boolean('enabled').notNull().default(true),
  /** Overrides the flow's deadline for this customer (synchronous automations); null: the flow's. */
  deadlineMs: integer('deadline_ms'),
  /** Phone-system events (e.g. call.ringing) whose webhook this automation answers synchronously with its JSON. */
  answerEvents: text('answer_events').array().notNull().default([]),
  /** Set when the automation came from a template the customer enabled (removing it removes the automation). */
  customerTemplateId: uuid('customer_template_id'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('integrations_customer_automation_uq').on(t.customerId, t.automation)]);

export const connections = pgTable('connections', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  system: text('system').notNull(),
  name: text('name').notNull(),
  authKind: text('auth_kind').notNull(),
  baseUrl: text('base_url').notNull(),
  /** AES-256-GCM ciphertext of the credentials JSON (iv.tag.data, base64url). */
  credentialsEnc: text('credentials_enc').notNull(),
  status: text('status').notNull().default('unknown'),
  lastSuccessAt: ts('last_success_at'),
  lastErrorAt: ts('last_error_at'),
  lastError: text('last_error'),
  /** The account at the other end (a HubSpot portal id …), learnt by the connection test: routes the CRM's own webhooks. */
  externalAccount: text('external_account'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('connections_customer_system_uq').on(t.customerId, t.system), index('connections_system_account_idx').on(t.system, t.externalAccount)]);

export const cdpContacts = pgTable('cdp_contacts', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  source: text('source').notNull(),
  externalId: text('external_id').notNull(),
  kind: text('kind').notNull().default('person'),
  firstName: text('first_name'),
  lastName: text('last_name'),
  company: text('company'),
  email: text('email'),
  /** E.164 numbers. */
  phones: text('phones').array().notNull().default(sql`'{}'::text[]`),
  rawPhones: text('raw_phones').array().notNull().default(sql`'{}'::text[]`),
  /**
   * Lookup keys "<customer uuid>|<E.164>": one GIN index probe answers (customer, phone) without reading
   * other tenants' rows that share the number.
   */
  phoneKeys: text('phone_keys').array().notNull().default(sql`'{}'::text[]`),
  country: char('country', { length: 2 }),
  crmUrl: text('crm_url'),
  ownerId: text('owner_id'),
  custom: jsonb('custom').notNull().default({}),
  /** Hash of the normalised content; an identical upsert writes nothing. */
  contentHash: text('content_hash').notNull(),
  sourceUpdatedAt: ts('source_updated_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  deletedAt: ts('deleted_at'),
}, (t) => [
  uniqueIndex('cdp_contacts_source_uq').on(t.customerId, t.source, t.externalId),
  index('cdp_contacts_phone_keys_gin').using('gin', t.phoneKeys).where(sql`${t.deletedAt} is null`),
  index('cdp_contacts_rejected_phones_idx').on(t.customerId).where(sql`cardinality(${t.rawPhones}) > cardinality(${t.phones}) and ${t.deletedAt} is null`),
]);

export const runs = pgTable('runs', {
  id: uuid('id').primaryKey(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'cascade' }),
  flowId: uuid('flow_id').references(() => flows.id, { onDelete: 'set null' }),
  flowVersion: integer('flow_version'),
  automation: text('automation').notNull(),
  mode: text('mode').notNull().default('live'),
  status: runStatus('status').notNull(),
  // Run payloads are written far more often than they are queried: `json` (validated text) is much cheaper
  // to insert than `jsonb`, and keeps the key order the flow produced.
  trigger: json('trigger'),
  response: json('response'),
  error: json('error'),
  /** Suspended run state (durable delay), resumed by the job engine. */
  state: json('state'),
  /** The run's steps (input, output, port, timing, error, request log), written with the run in one row. */
  steps: json('steps'),
  resumeAt: ts('resume_at'),
  startedAt: ts('started_at').notNull(),
  finishedAt: ts('finished_at'),
  durationMs: real('duration_ms'),
  /** Why the run answered its flow's fallback: `failed` (a step failed) or `deadline` (it ran past its deadline); null: it did not. */
  fallbackReason: text('fallback_reason'),
  /** Why a caller lookup found nobody (lib/cdp/explain-miss.ts); null for other runs. */
  explanation: json('explanation'),
}, (t) => [
  index('runs_vendor_started_idx').on(t.vendorId, t.startedAt),
  index('runs_customer_started_idx').on(t.customerId, t.startedAt),
  index('runs_flow_started_idx').on(t.flowId, t.startedAt),
  index('runs_vendor_status_started_idx').on(t.vendorId, t.status, t.startedAt),
]);


/**
 * Every run counted, per customer, automation and minute, whatever the recording policy kept in detail
 * (lib/runs/run-aggregates.ts): several processes add into the same row. Kept 13 months.
 */
export const runAggregates = pgTable('run_aggregates', {
  minute: ts('minute').notNull(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  automation: text('automation').notNull(),
  runs: integer('runs').notNull().default(0),
  failures: integer('failures').notNull().default(0),
  timeouts: integer('timeouts').notNull().default(0),
  fallbacks: integer('fallbacks').notNull().default(0),
  /** Of the fallbacks, those answered at the deadline (the rest answered a failed run). */
  deadlineFallbacks: integer('deadline_fallbacks').notNull().default(0),
  durationSumMs: doublePrecision('duration_sum_ms').notNull().default(0),
  durationMaxMs: real('duration_max_ms').notNull().default(0),
  /** Non-cumulative counts per latency bucket (lib/runs/latency-buckets.ts). */
  buckets: integer('buckets').array().notNull(),
}, (t) => [
  primaryKey({ columns: [t.customerId, t.automation, t.minute] }),
  index('run_aggregates_vendor_minute_idx').on(t.vendorId, t.minute),
]);

/** One row per (customer, sync key): the committed cursor and the lock against overlapping runs. */
export const syncStates = pgTable('sync_states', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  syncKey: text('sync_key').notNull(),
  cursor: jsonb('cursor'),
  lastFullAt: ts('last_full_at'),
  lockedBy: text('locked_by'),
  lockedUntil: ts('locked_until'),
  /** What the sync does (source, kinds, destinations, schedule, delete threshold): lib/sync/sync-config.ts. */
  config: jsonb('config').notNull().default({}),
  enabled: boolean('enabled').notNull().default(true),
  /** When the scheduler next starts an incremental run, and a full comparison. */
  nextRunAt: ts('next_run_at'),
  nextFullAt: ts('next_full_at'),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('sync_states_customer_key_uq').on(t.customerId, t.syncKey)]);

export const syncRuns = pgTable('sync_runs', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  syncKey: text('sync_key').notNull(),
  kind: text('kind').notNull(),
  status: text('status').notNull(),
  read: integer('read').notNull().default(0),
  written: integer('written').notNull().default(0),
  skipped: integer('skipped').notNull().default(0),
  failed: integer('failed').notNull().default(0),
  deleted: integer('deleted').notNull().default(0),
  totalEstimate: integer('total_estimate'),
  problems: jsonb('problems').notNull().default([]),
  /** What needs a person: a refused mass delete, a destination that keeps failing. */
  alerts: jsonb('alerts').notNull().default([]),
  /** Two-way sync: contacts edited on both sides (or deleted on one, edited on the other), with both values and the outcome. */
  conflicts: jsonb('conflicts').notNull().default([]),
  /** Per-destination counts, pages, rate-limit waits, resumes. */
  stats: jsonb('stats').notNull().default({}),
  /** schedule | manual | flow | cli | webhook */
  trigger: text('trigger').notNull().default('manual'),
  jobId: text('job_id'),
  worker: text('worker'),
  error: text('error'),
  startedAt: ts('started_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  finishedAt: ts('finished_at'),
}, (t) => [
  index('sync_runs_customer_started_idx').on(t.customerId, t.syncKey, t.startedAt),
  // At most one queued or running run per (customer, sync): a second start is refused by the database itself.
  uniqueIndex('sync_runs_one_active_uq').on(t.customerId, t.syncKey).where(sql`${t.status} in ('queued', 'running')`),
]);

/**
 * What the sync last wrote to the phone system's phonebook for each source record: the entry's id and the
 * content hash, so an unchanged contact costs no phonebook call and deletes know which entries are ours.
 */
export const phonebookLinks = pgTable('phonebook_links', {
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  source: text('source').notNull(),
  externalId: text('external_id').notNull(),
  phonebookId: text('phonebook_id').notNull(),
  contentHash: text('content_hash').notNull(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  // Two-way sync (lib/sync/two-way/): the shared fields both sides last agreed on, each side's hash of them as last
  // read or written (an echo matches and is not written again), the hash of the CRM-only fields, each side's own time.
  base: jsonb('base'),
  crmHash: text('crm_hash'),
  phonebookHash: text('phonebook_hash'),
  extraHash: text('extra_hash'),
  crmUpdatedAt: text('crm_updated_at'),
  phonebookUpdatedAt: text('phonebook_updated_at'),
}, (t) => [
  primaryKey({ columns: [t.customerId, t.source, t.externalId] }),
  index('phonebook_links_entry_idx').on(t.customerId, t.phonebookId),
]);

/**
 * Two-way sync: phonebook changes read from the phone system's change feed (an upsert with the entry, or a delete),
 * waiting for the CRM side of the same run to be read, then written to the CRM. `attempted_at` marks a CRM create
 * under way, so a run resumed after a crash looks for the contact it may have made before making another.
 */
export const syncPendingChanges = pgTable('sync_pending_changes', {
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  source: text('source').notNull(),
  phonebookId: text('phonebook_id').notNull(),
  op: text('op').notNull(),
  entry: jsonb('entry'),
  changedAt: text('changed_at'),
  attemptedAt: ts('attempted_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ name: 'sync_pending_changes_pk', columns: [t.customerId, t.source, t.phonebookId] })]);

/** Webhook deliveries already accepted (by the sender's delivery id): a re-delivered webhook runs nothing twice. */
export const webhookDeliveries = pgTable('webhook_deliveries', {
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  source: text('source').notNull(),
  deliveryId: text('delivery_id').notNull(),
  event: text('event').notNull(),
  runId: uuid('run_id'),
  receivedAt: ts('received_at').notNull().defaultNow(),
  /** The answer given to a webhook answered synchronously (`{status, body}`), so a re-delivery gets the same one. */
  answer: json('answer'),
}, (t) => [primaryKey({ columns: [t.customerId, t.source, t.deliveryId] })]);

/** Portal links open once: the link's nonce is recorded when it is opened (kept until the link expires). */
export const portalLinkUses = pgTable('portal_link_uses', {
  nonce: text('nonce').primaryKey(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  usedAt: ts('used_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
}, (t) => [index('portal_link_uses_expires_idx').on(t.expiresAt)]);

/**
 * Sessions signed out before they expire (portal cookies by token hash, staff sessions by their `sid`):
 * every request checks its session here, so a sign-out takes effect at once on every process.
 */
export const sessionRevocations = pgTable('session_revocations', {
  id: text('id').primaryKey(),
  revokedAt: ts('revoked_at').notNull().defaultNow(),
  expiresAt: ts('expires_at').notNull(),
}, (t) => [index('session_revocations_expires_idx').on(t.expiresAt)]);

/** Failed staff sign-ins per source address, per account and per (account, address), shared by every process. */
export const loginThrottle = pgTable('login_throttle', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStart: ts('window_start').notNull(),
  blockedUntil: ts('blocked_until'),
}, (t) => [index('login_throttle_window_idx').on(t.windowStart)]);

/**
 * One phone call of a customer, built from the phone system's call events (which arrive out of order, minutes
 * apart, and more than once): its state, the events seen (by delivery id), and the records written for it
 * elsewhere (the CRM call log, a call-back task, the stored recording), so a retried flow updates instead of
 * writing a second one. lib/calls/.
 */
export const callSessions = pgTable('call_sessions', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  callId: text('call_id').notNull(),
  /** ringing | answered | transferred | ended | missed | declined */
  state: text('state').notNull(),
  /** The merged call: direction, from, to, agentEmail, startedAt, answeredAt, endedAt, durationSec, status, recordingUrl, notes … */
  call: jsonb('call').notNull().default({}),
  /** Every event accepted for the call: { event, deliveryId, occurredAt, receivedAt }. */
  events: jsonb('events').notNull().default([]),
  /** Records written for this call, by role: { log: {system,type,id,url}, task: …, recording: {bucket,key,url,…} }. */
  records: jsonb('records').notNull().default({}),
  /** Runs this call started (by webhook), newest last. */
  runIds: jsonb('run_ids').notNull().default([]),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [
  uniqueIndex('call_sessions_customer_call_uq').on(t.customerId, t.callId),
  index('call_sessions_customer_updated_idx').on(t.customerId, t.updatedAt),
]);

/** Runs waiting on a call (until it has ended, or its recording is ready), woken by the event or at their deadline. */
export const callSessionWaits = pgTable('call_session_waits', {
  runId: uuid('run_id').primaryKey(),
  sessionId: uuid('session_id').notNull().references(() => callSessions.id, { onDelete: 'cascade' }),
  /** ended | recording */
  until: text('until').notNull(),
  resumeAt: ts('resume_at').notNull(),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [index('call_session_waits_session_idx').on(t.sessionId)]);

/** Who changed what: flows, templates, rollouts, API keys, connections, integrations (lib/audit/record-audit.ts). */
export const auditLog = pgTable('audit_log', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  customerId: uuid('customer_id').references(() => customers.id, { onDelete: 'set null' }),
  /** staff | api_key | portal | operator | system */
  actorKind: text('actor_kind').notNull(),
  /** The staff user's id, the API key's id, the customer's id (portal) … */
  actorId: text('actor_id'),
  /** Readable at the time: the staff member's e-mail, the key's prefix and name, "customer acme (portal)". */
  actorLabel: text('actor_label').notNull(),
  /** `<target kind>.<verb>`: flow.publish, api_key.rotate, connection.connect … */
  action: text('action').notNull(),
  targetKind: text('target_kind').notNull(),
  targetId: text('target_id'),
  targetLabel: text('target_label'),
  details: jsonb('details'),
  at: ts('at').notNull().defaultNow(),
}, (t) => [index('audit_log_vendor_at_idx').on(t.vendorId, t.at.desc(), t.id.desc())]);
/** How a vendor's customer portal and agent widget look and where they may be embedded (staff: Embed page). */
export const vendorEmbedSettings = pgTable('vendor_embed_settings', {
  vendorId: uuid('vendor_id').primaryKey().references(() => vendors.id, { onDelete: 'cascade' }),
  /** Shown in the portal's top bar and the widget's header instead of "Integrations". */
  brandName: text('brand_name'),
  /** A data: URL (png, jpeg, svg, webp, gif; at most 100 kB): the pages' CSP allows data: images only. */
  logo: text('logo'),
  /** #rrggbb */
  primaryColor: text('primary_color'),
  accentColor: text('accent_color'),
  /** Origins of the vendor's product (https://app.example.com): may frame the portal, may call the widget API. */
  allowedOrigins: text('allowed_origins').array().notNull().default(sql`'{}'`),
  updatedAt: ts('updated_at').notNull().defaultNow(),
});

/** The buttons of the agent widget: each runs one named automation of the customer the widget is for. */
export const widgetActions = pgTable('widget_actions', {
  id: uuid('id').primaryKey().defaultRandom(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  /** Stable id in URLs: /api/widget/v1/customers/{id}/actions/{key}/run */
  key: text('key').notNull(),
  label: text('label').notNull(),
  automation: text('automation').notNull(),
  position: integer('position').notNull().default(0),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('widget_actions_vendor_key_uq').on(t.vendorId, t.key)]);


/** What a vendor offers its customers: the flows of one integration, an options schema, the connections it needs (lib/templates/). */
export const templates = pgTable('templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  vendorId: uuid('vendor_id').notNull().references(() => vendors.id, { onDelete: 'cascade' }),
  slug: text('slug').notNull(),
  name: text('name').notNull(),
  description: text('description').notNull().default(''),
  icon: text('icon').notNull().default('plug'),
  latestVersion: integer('latest_version').notNull().default(0),
  /** The version new customers get; null while no version is published. */
  publishedVersion: integer('published_version'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
  deletedAt: ts('deleted_at'),
}, (t) => [uniqueIndex('templates_vendor_slug_uq').on(t.vendorId, t.slug).where(sql`${t.deletedAt} is null`)]);

/** Immutable versions: `definition` is lib/templates/template-definition.ts (flows pinned to flow versions, options schema, connections). */
export const templateVersions = pgTable('template_versions', {
  templateId: uuid('template_id').notNull().references(() => templates.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  definition: jsonb('definition').notNull(),
  message: text('message'),
  createdBy: uuid('created_by').references(() => staffUsers.id, { onDelete: 'set null' }),
  publishedAt: ts('published_at'),
  createdAt: ts('created_at').notNull().defaultNow(),
}, (t) => [primaryKey({ columns: [t.templateId, t.version] })]);

/** A customer's enabled template: the version it runs (pinned or following roll-outs), its options, active or paused. */
export const customerTemplates = pgTable('customer_templates', {
  id: uuid('id').primaryKey().defaultRandom(),
  customerId: uuid('customer_id').notNull().references(() => customers.id, { onDelete: 'cascade' }),
  templateId: uuid('template_id').notNull().references(() => templates.id, { onDelete: 'cascade' }),
  version: integer('version').notNull(),
  previousVersion: integer('previous_version'),
  pinned: boolean('pinned').notNull().default(false),
  options: jsonb('options').notNull().default({}),
  /** active | paused */
  status: text('status').notNull().default('active'),
  createdAt: ts('created_at').notNull().defaultNow(),
  updatedAt: ts('updated_at').notNull().defaultNow(),
}, (t) => [uniqueIndex('customer_templates_customer_template_uq').on(t.customerId, t.templateId), index('customer_templates_template_idx').on(t.templateId, t.version)]);

/** One roll-out of a template version: who moved from which version (what rollback restores). */
export const templateRollouts = pgTable('template_rollouts', {
  id: uuid('id').primaryKey().defaultRandom(),
  templateId: uuid('template_id').notNull().references(() => templates.id, { onDelete: 'cascade' }),
  toVersion: integer('to_version').notNull(),
  target: jsonb('target').notNull(),
  moved: jsonb('moved').notNull().default([]),
  /** applied | rolled_back */
  status: text('status').notNull().default('applied'),
  createdBy: uuid('created_by').references(() => staffUsers.id, { onDelete: 'set null' }),
  createdAt: ts('created_at').notNull().defaultNow(),
  rolledBackAt: ts('rolled_back_at'),
}, (t) => [index('template_rollouts_template_idx').on(t.templateId, t.createdAt)]);
