// Vendors (tenants): each has its staff, customers, keys and flows; every query is scoped by vendor.
import { randomBytes } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type postgres from 'postgres';
import { operatorActor, recordAudit } from '../audit/record-audit';
import { Conflict, InvalidInput } from '../errors';
import { createApiKey, keyPrefix } from './api-keys';

export async function createVendor(sql: postgres.Sql, p: { slug: string; name: string }): Promise<{ id: string; created: boolean }> {
  const rows = await sql<{ id: string }[]>`insert into vendors (slug, name) values (${p.slug}, ${p.name}) on conflict (slug) do nothing returning id`;
  if (rows.length) return { id: rows[0].id, created: true };
  const [row] = await sql<{ id: string }[]>`select id from vendors where slug = ${p.slug}`;
  return { id: row.id, created: false };
}

export const VENDOR_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$/;

export interface NewVendor { slug: string; name: string; ownerEmail: string; ownerName?: string; password?: string }
export interface CreatedVendor { vendorId: string; slug: string; ownerId: string; ownerEmail: string; password: string; generatedPassword: boolean; apiKey: string }

/**
 * A new vendor (tenant) with its owner account and a first vendor API key, in one transaction, audited as the
 * operator's doing. Refuses a taken slug or owner e-mail (Conflict) and bad input (InvalidInput naming the field).
 */
export async function createVendorWithOwner(sql: postgres.Sql, p: NewVendor): Promise<CreatedVendor> {
  const slug = p.slug.trim().toLowerCase();
  const email = p.ownerEmail.trim().toLowerCase();
  if (!VENDOR_SLUG.test(slug)) throw new InvalidInput('The slug is 1–48 lowercase letters, digits and dashes (it appears in webhook URLs)', ['slug']);
  if (!p.name.trim() || p.name.length > 200) throw new InvalidInput('The vendor name is 1–200 characters', ['name']);
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 320) throw new InvalidInput('The owner e-mail is not an e-mail address', ['ownerEmail']);
  const generatedPassword = !p.password;
  const password = p.password ?? randomBytes(12).toString('base64url');
  if (password.length < 10 || password.length > 200) throw new InvalidInput('The password is 10–200 characters', ['password']);
  const hash = await bcrypt.hash(password, 10);
  return sql.begin(async (tx) => {
    const [v] = await tx<{ id: string }[]>`insert into vendors (slug, name) values (${slug}, ${p.name.trim()}) on conflict (slug) do nothing returning id`;
    if (!v) throw new Conflict('vendor_exists', `A vendor with the slug "${slug}" exists already`, { path: ['slug'] });
    const [u] = await tx<{ id: string }[]>`
      insert into staff_users (vendor_id, email, name, password_hash, role) values (${v.id}, ${email}, ${p.ownerName?.trim() || email}, ${hash}, 'owner')
      on conflict do nothing returning id`;
    if (!u) throw new Conflict('email_taken', `A staff account with the e-mail ${email} exists already`, { path: ['ownerEmail'] });
    const actor = operatorActor();
    const key = await createApiKey(tx, { vendorId: v.id, name: 'First vendor key', createdBy: actor.label });
    await recordAudit(tx, { vendorId: v.id, actor, action: 'vendor.create', target: { kind: 'vendor', id: v.id, label: `${p.name.trim()} (${slug})` } });
    await recordAudit(tx, { vendorId: v.id, actor, action: 'staff_user.create', target: { kind: 'staff_user', id: u.id, label: email }, details: { role: 'owner' } });
    await recordAudit(tx, { vendorId: v.id, actor, action: 'api_key.create', target: { kind: 'api_key', id: key.id, label: `First vendor key (${keyPrefix(key.key)}…)` } });
    return { vendorId: v.id, slug, ownerId: u.id, ownerEmail: email, password, generatedPassword, apiKey: key.key };
  });
}
