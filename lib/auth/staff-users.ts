// Staff accounts: password check for sign-in and the current principal for every staff request.
import bcrypt from 'bcryptjs';
import type postgres from 'postgres';
import type { StaffMe, StaffRole } from '@/lib/staff-api/contract';

export interface StaffPrincipal { userId: string; vendorId: string; role: StaffRole; email: string; name: string }

interface Row { id: string; vendor_id: string; email: string; name: string; role: StaffRole; password_hash: string }

// Compared against when the email is unknown, so a wrong email costs as long as a wrong password.
const DUMMY_HASH = bcrypt.hashSync('patchbay-no-such-user', 10);

/** The staff user for these credentials, or null (unknown email and wrong password look the same). */
export async function verifyStaffCredentials(sql: postgres.Sql, email: string, password: string): Promise<StaffPrincipal | null> {
  const rows = await sql<Row[]>`select id, vendor_id, email, name, role, password_hash from staff_users where lower(email) = ${email.trim().toLowerCase()}`;
  const row = rows[0];
  const ok = await bcrypt.compare(password, row?.password_hash ?? DUMMY_HASH);
  if (!row || !ok) return null;
  return { userId: row.id, vendorId: row.vendor_id, role: row.role, email: row.email, name: row.name };
}

/** Re-read on every staff request: a removed user or a changed role takes effect at once, not at token expiry. */
export async function loadStaffPrincipal(sql: postgres.Sql, userId: string): Promise<StaffPrincipal | null> {
  if (!/^[0-9a-f-]{36}$/i.test(userId)) return null;
  const rows = await sql<Row[]>`select id, vendor_id, email, name, role from staff_users where id = ${userId}`;
  const row = rows[0];
  return row ? { userId: row.id, vendorId: row.vendor_id, role: row.role, email: row.email, name: row.name } : null;
}

export async function getStaffMe(sql: postgres.Sql, p: StaffPrincipal): Promise<StaffMe> {
  const [v] = await sql<{ id: string; name: string; slug: string }[]>`select id, name, slug from vendors where id = ${p.vendorId}`;
  return { id: p.userId, email: p.email, name: p.name, role: p.role, vendor: { id: v.id, name: v.name, slug: v.slug } };
}

export async function createStaffUser(sql: postgres.Sql, p: { vendorId: string; email: string; name: string; password: string; role: StaffRole }): Promise<string> {
  const [row] = await sql<{ id: string }[]>`
    insert into staff_users (vendor_id, email, name, password_hash, role)
    values (${p.vendorId}, ${p.email.trim().toLowerCase()}, ${p.name}, ${await bcrypt.hash(p.password, 10)}, ${p.role}) returning id`;
  return row.id;
}
