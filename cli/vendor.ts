// `patchbay vendor create`: an operator creates a vendor (tenant) with its owner account and a first API key,
// in the installation's database (DATABASE_URL, else the running app's runtime.json; migrated first if new).
//   npx patchbay vendor create --slug acme --name "Acme Telecom" --owner-email ops@acme.example [--owner-name "Ada"] [--password …] [--json]
import postgres from 'postgres';
import { runMigrations } from '../lib/db/migrate';
import { ApiError } from '../lib/errors';
import { createVendorWithOwner } from '../lib/tenancy/vendors';
import { databaseUrl } from './sync';

export interface VendorCommandOptions { action?: string; slug?: string; name?: string; ownerEmail?: string; ownerName?: string; password?: string; json?: boolean }

const USAGE = 'usage: patchbay vendor create --slug <slug> --name <name> --owner-email <email> [--owner-name <name>] [--password <password>] [--json]';

export async function vendorCommand(o: VendorCommandOptions): Promise<number> {
  if (o.action !== 'create' || !o.slug || !o.name || !o.ownerEmail) { console.error(USAGE); return 2; }
  const password = o.password;
  let url: string;
  try { url = databaseUrl(); } catch (err) { console.error((err as Error).message); return 1; }
  await runMigrations(url);
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  try {
    const v = await createVendorWithOwner(sql, { slug: o.slug, name: o.name, ownerEmail: o.ownerEmail, ownerName: o.ownerName, password });
    if (o.json) {
      console.log(JSON.stringify({ vendorId: v.vendorId, slug: v.slug, ownerEmail: v.ownerEmail, ...(v.generatedPassword ? { password: v.password } : {}), apiKey: v.apiKey }));
    } else {
      console.log(`Created vendor ${v.slug} (${v.vendorId})`);
      console.log(`  owner:    ${v.ownerEmail}${v.generatedPassword ? `  password: ${v.password}  (shown once; change it after signing in)` : ''}`);
      console.log(`  API key:  ${v.apiKey}  (shown once; manage keys on the staff API keys page)`);
    }
    return 0;
  } catch (err) {
    if (err instanceof ApiError) {
      const field = Array.isArray(err.extra.path) && err.extra.path.length ? ` (${err.extra.path.join('.')})` : '';
      console.error(`${err.code}${field}: ${err.message}`);
      return 1;
    }
    throw err;
  } finally {
    await sql.end({ timeout: 2 });
  }
}
