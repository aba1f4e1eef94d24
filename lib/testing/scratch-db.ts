// For lib tests that need PostgreSQL: a fresh, migrated database on the server behind
// PATCHBAY_TEST_PG_ADMIN_URL (default: the local postgres), dropped again after the suite.
import postgres from 'postgres';
import { connect } from '../db/client';
import { runMigrations } from '../db/migrate';

export interface ScratchDb { url: string; sql: postgres.Sql; drop(): Promise<void> }

export async function createScratchDb(prefix: string): Promise<ScratchDb> {
  const admin = process.env.PATCHBAY_TEST_PG_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 6)}`.toLowerCase();
  if (!/^[a-z0-9_]+$/.test(name)) throw new Error(`bad scratch database name ${name}`);
  const adminSql = postgres(admin, { max: 1, onnotice: () => {} });
  await adminSql.unsafe(`create database ${name}`);
  const u = new URL(admin);
  u.pathname = `/${name}`;
  const url = u.toString();
  await runMigrations(url);
  // Configured like the app's own pool (timestamps arrive as strings), so tests see what production sees.
  const { sql } = connect(url, 4);
  return {
    url,
    sql,
    async drop() {
      await sql.end({ timeout: 5 });
      await adminSql.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await adminSql.end();
    },
  };
}

/** A vendor with one customer and one staff user of the given role; returns their ids. */
export async function seedVendor(sql: postgres.Sql, slug: string, role: 'owner' | 'editor' | 'viewer' = 'owner'): Promise<{ vendorId: string; customerId: string; userId: string }> {
  const [v] = await sql<{ id: string }[]>`insert into vendors (slug, name) values (${slug}, ${`Vendor ${slug}`}) returning id`;
  const [c] = await sql<{ id: string }[]>`insert into customers (vendor_id, external_id, name) values (${v.id}, ${`${slug}-c1`}, ${`Customer of ${slug}`}) returning id`;
  // A fixed bcrypt hash of "secret-password" (cost 4) keeps seeding fast.
  const [u] = await sql<{ id: string }[]>`insert into staff_users (vendor_id, email, name, password_hash, role)
    values (${v.id}, ${`${role}@${slug}.test`}, ${`${role} of ${slug}`}, '$2b$04$UJKBkGO7p3UfUP5BdNUMUezHLKmUG0d5HYPuHfm5nAXDEGFvB7Wu6', ${role}) returning id`;
  return { vendorId: v.id, customerId: c.id, userId: u.id };
}
