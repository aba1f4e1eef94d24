// The baseline for bench:lookup: a bare node:http server doing the same work as caller_lookup
// (parse JSON, normalise the number, one indexed query on the same database, JSON out) and nothing else.
// With BENCH_EMBEDDED_DATA_DIR it starts its own embedded PostgreSQL on that data folder (the one Patchbay
// used, after Patchbay stopped), so its process tree holds its database as Patchbay's does.
import http from 'node:http';
import postgres from 'postgres';
import { normalizePhone } from '../engine/core/phone';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded';

const customerId = process.env.BENCH_CUSTOMER_ID!;
const country = process.env.BENCH_COUNTRY ?? 'US';
const port = Number(process.env.PORT ?? 0);
const embeddedDir = process.env.BENCH_EMBEDDED_DATA_DIR;
let embedded: EmbeddedDatabase | null = null;
if (embeddedDir) embedded = await startEmbeddedPostgres(embeddedDir, decodeURIComponent(new URL(process.env.DATABASE_URL!).password));
const url = embedded?.url ?? process.env.DATABASE_URL!;
const sql = postgres(url, { max: 10, onnotice: () => {} });

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      const e164 = normalizePhone(String(body.phone ?? ''), country).e164;
      let out: unknown = { found: false };
      if (e164) {
        const rows = await sql`select source, external_id, kind, first_name, last_name, company, email, phones, country, crm_url, owner_id, custom, source_updated_at
          from cdp_contacts where phone_keys @> array[${customerId + '|' + e164}]::text[] and deleted_at is null order by (kind = 'person') desc, updated_at desc limit 1`;
        if (rows.length) out = { found: true, contact: rows[0] };
      }
      const payload = JSON.stringify(out);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) });
      res.end(payload);
    } catch (err) {
      res.writeHead(400);
      res.end(String(err));
    }
  });
});
server.listen(port, '127.0.0.1', () => console.log(`bare server on ${(server.address() as { port: number }).port}`));
process.on('SIGTERM', () => {
  server.close();
  void sql.end().then(() => embedded?.stop()).then(() => process.exit(0), () => process.exit(1));
});
