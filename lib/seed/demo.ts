// The demo tenant: a vendor, a staff user, an API key, customer "demo" (US) with synthetic contacts,
// and a published caller_lookup flow enabled for it. Idempotent: only missing pieces are created.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type postgres from 'postgres';
import { syntheticPerson } from '@/engine/connectors';
import { callerLookupFlow, callLoggingFlow, callRoutingFlow, displayNameOf, slackAgentStatusFlow, slackCallerCardFlow, userProvisioningFlow } from '@/engine';
import type { UnifiedContact } from '@/engine';
import { upsertContacts } from '../cdp/pg-cdp';
import { SEED_LOCK, withAdvisoryLock } from '../db/migrate';
import { enableIntegration, publishFlow, saveFlowVersion } from '../flows/flows';
import { createApiKey, hashKey } from '../tenancy/api-keys';
import { createCustomer } from '../tenancy/customers';
import { createVendor } from '../tenancy/vendors';
import { seedPlaybookTemplates } from '../templates/playbook';
import { demoPortalPath } from './demo-portal';

export interface DemoInfo {
  vendorId: string; apiKey: string; staffEmail: string; staffPassword: string; customerId: string; portalPath: string;
  /** A number of a contact that is in the demo customer's CDP, and whom it finds (null: the CDP is empty). */
  samplePhone: string; sampleName: string | null;
  /** The demo key was revoked (the seed never re-activates a key). */
  apiKeyRevoked: boolean;
}

/**
 * The demo CRM's people are synthetic people from an index range no emulator seeds (the CRM emulators use
 * 0…N, HubSpot's companies 3,000,000+ and 9,000,000+): after a demo sync from an emulator, no number belongs
 * to two contacts. (An offset that is a multiple of 90,000 keeps names, companies and cities as at 0…N.)
 */
export const DEMO_PERSON_OFFSET = 5_040_000;
export const demoPerson = (i: number) => syntheticPerson(DEMO_PERSON_OFFSET + i);

export function demoContact(i: number): UnifiedContact {
  const p = demoPerson(i);
  return {
    source: 'demo-crm', externalId: String(100000 + i), kind: 'person', firstName: p.firstName, lastName: p.lastName, company: p.company,
    email: p.email, phones: p.mobileAsTyped ? [p.phoneAsTyped, p.mobileAsTyped] : [p.phoneAsTyped], country: p.country,
    crmUrl: `https://crm.example.com/contacts/${100000 + i}`, ownerId: null, custom: { city: p.city, tier: ['gold', 'silver', 'bronze'][i % 3] },
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

type SeedOptions = { dataDir: string; contacts: number; apiKey?: string | null; log?: (m: string) => void };

/** Seeds the demo tenant once, even when several processes start at the same moment on one empty database. */
export function seedDemo(sql: postgres.Sql, o: SeedOptions): Promise<DemoInfo> {
  return withAdvisoryLock(sql, SEED_LOCK, () => seedDemoLocked(sql, o));
}

async function seedDemoLocked(sql: postgres.Sql, o: SeedOptions): Promise<DemoInfo> {
  const log = o.log ?? (() => {});
  const file = path.join(o.dataDir, 'demo.json');
  const saved: Partial<DemoInfo> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const { id: vendorId, created } = await createVendor(sql, { slug: 'demo', name: 'Demo Telecom' });
  const apiKey = o.apiKey ?? saved.apiKey ?? `pb_demo_${randomBytes(18).toString('base64url')}`;
  // Created once; a key someone revoked stays revoked (createApiKey would re-activate it).
  const [existingKey] = await sql<{ revoked: boolean }[]>`select revoked_at is not null as revoked from api_keys where key_hash = ${hashKey(apiKey)}`;
  if (!existingKey) await createApiKey(sql, { vendorId, name: 'Demo vendor key', key: apiKey });
  const apiKeyRevoked = !!existingKey?.revoked;

  const staffEmail = 'admin@demo.patchbay.dev';
  const staffPassword = saved.staffPassword ?? randomBytes(9).toString('base64url');
  const existingStaff = await sql`select 1 from staff_users where lower(email) = ${staffEmail}`;
  if (!existingStaff.length) {
    await sql`insert into staff_users (vendor_id, email, name, password_hash, role) values (${vendorId}, ${staffEmail}, 'Demo Admin', ${await bcrypt.hash(staffPassword, 10)}, 'owner')`;
  } else if (!saved.staffPassword) {
    // The data folder lost the demo password (new folder, same database): set a fresh one we can print.
    await sql`update staff_users set password_hash = ${await bcrypt.hash(staffPassword, 10)} where lower(email) = ${staffEmail}`;
  }
  const { ref: customer } = await createCustomer(sql, { vendorId, externalId: 'demo', name: 'Demo Customer Inc.', defaultCountry: 'US' });
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from cdp_contacts where customer_id = ${customer.id}`;
  // Folders seeded before DEMO_PERSON_OFFSET hold numbers the emulators also use: rewritten in place.
  const [first] = await sql<{ phones: string[] }[]>`select phones from cdp_contacts where customer_id = ${customer.id} and source = 'demo-crm' and external_id = '100000' and deleted_at is null`;
  const outdated = !!first && o.contacts > 0 && first.phones[0] !== demoPerson(0).e164;
  if (n < o.contacts || outdated) {
    log(`Seeding ${o.contacts} synthetic contacts for customer "demo" …`);
    for (let i = 0; i < o.contacts; i += 2000) {
      const batch = Array.from({ length: Math.min(2000, o.contacts - i) }, (_, k) => demoContact(i + k));
      await upsertContacts(sql, customer.id, 'US', batch);
    }
  }
  const flows = await sql<{ id: string }[]>`select id from flows where vendor_id = ${vendorId} and automation = 'caller_lookup' and deleted_at is null`;
  let flowId = flows[0]?.id;
  if (!flowId) {
    const saved = await saveFlowVersion(sql, { vendorId, definition: callerLookupFlow, message: 'Demo caller lookup' });
    flowId = saved.flowId;
    await publishFlow(sql, vendorId, flowId, saved.version);
  }
  const integ = await sql`select 1 from integrations where customer_id = ${customer.id} and automation = 'caller_lookup'`;
  if (!integ.length) await enableIntegration(sql, { vendorId, customerId: customer.id, flowId });
  // The call_logging template, published for the vendor: a customer enables it once their CRM, storage and phone
  // system are connected (npm run demo:call does it against the emulators).
  const logging = await sql`select 1 from flows where vendor_id = ${vendorId} and automation = 'call_logging' and deleted_at is null`;
  if (!logging.length) {
    const saved = await saveFlowVersion(sql, { vendorId, definition: callLoggingFlow, message: 'Call logging template' });
    await publishFlow(sql, vendorId, saved.flowId, saved.version);
  }
  // The call_routing template, published and enabled for customer "demo": it answers its phone system's call.ringing
  // webhooks with the routing JSON (and the named URL, for a try with curl). Customers created later enable it themselves.
  const routing = await sql<{ id: string }[]>`select id from flows where vendor_id = ${vendorId} and automation = 'call_routing' and deleted_at is null`;
  let routingFlowId = routing[0]?.id;
  if (!routingFlowId) {
    const saved = await saveFlowVersion(sql, { vendorId, definition: callRoutingFlow, message: 'Call routing template' });
    routingFlowId = saved.flowId;
    await publishFlow(sql, vendorId, routingFlowId, saved.version);
  }
  const routingInteg = await sql`select 1 from integrations where customer_id = ${customer.id} and automation = 'call_routing'`;
  if (!routingInteg.length) await enableIntegration(sql, { vendorId, customerId: customer.id, flowId: routingFlowId, answerEvents: ['call.ringing'] });
  // The Slack templates likewise (caller card on call.ringing, agent status on call.answered: enabled per customer
  // once Slack is connected in the portal) and user provisioning (a daily dry run until told otherwise).
  for (const [definition, message] of [[slackCallerCardFlow, 'Slack caller card template'], [slackAgentStatusFlow, 'Slack agent status template'], [userProvisioningFlow, 'User provisioning template']] as const) {
    const taken = await sql`select 1 from flows where vendor_id = ${vendorId} and automation = ${definition.automation} and deleted_at is null`;
    if (taken.length) continue;
    const saved = await saveFlowVersion(sql, { vendorId, definition, message });
    await publishFlow(sql, vendorId, saved.flowId, saved.version);
  }
  // The playbook's templates, published: the portal's catalogue offers them to every customer.
  const templates = await seedPlaybookTemplates(sql, vendorId);
  if (templates.length) log(`Templates published: ${templates.join(', ')}.`);
  const sample = await sampleContact(sql, customer.id);
  const info: DemoInfo = { vendorId, apiKey, apiKeyRevoked, staffEmail, staffPassword, customerId: customer.id, samplePhone: sample?.phone ?? demoPerson(7).phoneAsTyped, sampleName: sample?.name ?? null, portalPath: demoPortalPath(customer) };
  fs.mkdirSync(o.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ apiKey, staffPassword }, null, 2), { mode: 0o600 });
  if (created) log('Demo tenant created.');
  return info;
}

/** What the start-up banner's curl finds: demo contact 100007 when it is there, else any contact with a number. */
async function sampleContact(sql: postgres.Sql, customerId: string): Promise<{ phone: string; name: string } | null> {
  const [r] = await sql<{ first_name: string | null; last_name: string | null; company: string | null; e164: string; demo: boolean }[]>`
    select first_name, last_name, company, phones[1] as e164, (source = 'demo-crm' and external_id = '100007') as demo
    from cdp_contacts where customer_id = ${customerId} and deleted_at is null and cardinality(phones) > 0
    order by (source = 'demo-crm' and external_id = '100007') desc, id limit 1`;
  if (!r) return null;
  const phone = r.demo && r.e164 === demoPerson(7).e164 ? demoPerson(7).phoneAsTyped : r.e164;
  return { phone, name: displayNameOf({ firstName: r.first_name, lastName: r.last_name, company: r.company }) };
}
