// The demo tenant: a vendor, a staff user, an API key, customer "demo" (US) with synthetic contacts,
// and a published caller_lookup flow enabled for it. Idempotent: only missing pieces are created.
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type postgres from 'postgres';
import { syntheticPerson } from '@/engine/connectors';
import { callerLookupFlow } from '@/engine';
import type { UnifiedContact } from '@/engine';
import { upsertContacts } from '../cdp/pg-cdp';
import { enableIntegration, publishFlow, saveFlowVersion } from '../flows/flows';
import { createApiKey } from '../tenancy/api-keys';
import { createCustomer } from '../tenancy/customers';
import { createVendor } from '../tenancy/vendors';
import { demoPortalPath } from './demo-portal';

export interface DemoInfo { vendorId: string; apiKey: string; staffEmail: string; staffPassword: string; customerId: string; samplePhone: string; sampleName: string; portalPath: string }

export function demoContact(i: number): UnifiedContact {
  const p = syntheticPerson(i);
  return {
    source: 'demo-crm', externalId: String(100000 + i), kind: 'person', firstName: p.firstName, lastName: p.lastName, company: p.company,
    email: p.email, phones: p.mobileAsTyped ? [p.phoneAsTyped, p.mobileAsTyped] : [p.phoneAsTyped], country: p.country,
    crmUrl: `https://crm.example.com/contacts/${100000 + i}`, ownerId: null, custom: { city: p.city, tier: ['gold', 'silver', 'bronze'][i % 3] },
    updatedAt: new Date(p.updatedAt).toISOString(),
  };
}

export async function seedDemo(sql: postgres.Sql, o: { dataDir: string; contacts: number; apiKey?: string | null; log?: (m: string) => void }): Promise<DemoInfo> {
  const log = o.log ?? (() => {});
  const file = path.join(o.dataDir, 'demo.json');
  const saved: Partial<DemoInfo> = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
  const { id: vendorId, created } = await createVendor(sql, { slug: 'demo', name: 'Demo Telecom' });
  const apiKey = o.apiKey ?? saved.apiKey ?? `pb_demo_${randomBytes(18).toString('base64url')}`;
  await createApiKey(sql, { vendorId, name: 'Demo vendor key', key: apiKey });

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
  if (n < o.contacts) {
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
  const sample = syntheticPerson(7);
  const info: DemoInfo = { vendorId, apiKey, staffEmail, staffPassword, customerId: customer.id, samplePhone: sample.phoneAsTyped, sampleName: `${sample.firstName} ${sample.lastName}`, portalPath: demoPortalPath(customer) };
  fs.mkdirSync(o.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify({ apiKey, staffPassword }, null, 2), { mode: 0o600 });
  if (created) log('Demo tenant created.');
  return info;
}
