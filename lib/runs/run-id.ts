// Run ids are UUIDv7 (RFC 9562): the first 48 bits are the Unix time in milliseconds, the rest random.
// New runs therefore land at the right-hand edge of the runs primary key instead of on a random page of
// it, which keeps inserts cheap as the table grows to millions of rows.
import { randomUUID } from 'node:crypto';

export function newRunId(now = Date.now()): string {
  const ts = now.toString(16).padStart(12, '0');
  // randomUUID() is a v4 from a cached pool of random bytes: keep its random part and variant bits.
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${randomUUID().slice(15)}`;
}
