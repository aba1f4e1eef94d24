import type postgres from 'postgres';

export async function createVendor(sql: postgres.Sql, p: { slug: string; name: string }): Promise<{ id: string; created: boolean }> {
  const rows = await sql<{ id: string }[]>`insert into vendors (slug, name) values (${p.slug}, ${p.name}) on conflict (slug) do nothing returning id`;
  if (rows.length) return { id: rows[0].id, created: true };
  const [row] = await sql<{ id: string }[]>`select id from vendors where slug = ${p.slug}`;
  return { id: row.id, created: false };
}
