// An in-process cache of caller lookups (customer, E.164) → contact or "nobody", kept coherent with PostgreSQL:
// a statement trigger on cdp_contacts (migration 0018) NOTIFYs `patchbay_cdp` with each changed customer's id at
// commit, and the listener here forgets that customer's answers. A miss in the cache asks the database.
//
// Staleness bound: a committed change (upsert, soft delete, a customer deleted) stops being served from the cache
// when its notification reaches this process — normally within milliseconds of the commit, in commit order on the
// listening connection. The cache is trusted only while the listener is known alive: it hears its own ping every
// PING_MS, and when it has heard nothing for LIVE_MS (connection lost, database restarted) every lookup goes to the
// database until it listens again. So a stale answer can be served at most LIVE_MS after the commit, and only
// when the notification itself was lost.
// A lookup that raced a change (its query ran while the change committed) is not cached: each customer has a
// generation, bumped by every notification, and an answer is kept only if its generation did not move meanwhile.
import { randomBytes } from 'node:crypto';
import type postgres from 'postgres';
import type { CdpContact } from '@/engine';

export const CDP_CHANNEL = 'patchbay_cdp';
const PING_MS = 2_000;
export const LIVE_MS = 10_000;
/** Entries across all customers; past it the cache starts over (simple and bounded; refilling is one query each). */
const MAX_ENTRIES = 200_000;

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as Record<string, unknown>)) deepFreeze(x);
  }
  return v;
}

export class PhoneCache {
  private readonly byCustomer = new Map<string, Map<string, CdpContact | null>>();
  private readonly generation = new Map<string, number>();
  private size = 0;
  private heardAt = 0;
  hits = 0;
  misses = 0;

  /** Whether the cache may answer (the change listener is known alive). */
  live(now = Date.now()): boolean { return now - this.heardAt < LIVE_MS; }

  /** The cached answer: a contact, null (nobody has that number), or undefined (ask the database). */
  get(customerId: string, e164: string): CdpContact | null | undefined {
    if (!this.live()) return undefined;
    const v = this.byCustomer.get(customerId)?.get(e164);
    if (v === undefined) this.misses++; else this.hits++;
    return v;
  }

  /** The customer's generation, read before asking the database; `set` keeps the answer only if it did not move. */
  generationOf(customerId: string): number { return this.generation.get(customerId) ?? 0; }

  set(customerId: string, e164: string, contact: CdpContact | null, generation: number): void {
    if (!this.live() || this.generationOf(customerId) !== generation) return;
    if (this.size >= MAX_ENTRIES) this.clear();
    let m = this.byCustomer.get(customerId);
    if (!m) this.byCustomer.set(customerId, (m = new Map()));
    if (!m.has(e164)) this.size++;
    // Shared by every run that finds it: nobody may change it.
    m.set(e164, deepFreeze(contact));
  }

  /** The customer's contacts changed: forget its answers (and refuse answers of lookups still in flight). */
  invalidate(customerId: string): void {
    this.generation.set(customerId, this.generationOf(customerId) + 1);
    const m = this.byCustomer.get(customerId);
    if (m) { this.size -= m.size; this.byCustomer.delete(customerId); }
  }

  clear(): void {
    for (const c of this.byCustomer.keys()) this.generation.set(c, this.generationOf(c) + 1);
    this.byCustomer.clear();
    this.size = 0;
  }

  /** @internal the listener proved alive */
  heard(now = Date.now()): void { this.heardAt = now; }
  /** @internal the listener stopped */
  deaf(): void { this.heardAt = 0; this.clear(); }
}

/** The caches of this process whose listener runs. */
const watched = new Set<PhoneCache>();

/**
 * This process just changed the customer's contacts: its own caches forget them now, without waiting for the
 * notification (so a lookup right after an answered CDP write through this process never sees the old data).
 * Inside a transaction this runs before the commit; the notification at the commit forgets them again.
 */
export function forgetCustomerLookups(customerId: string): void {
  for (const c of watched) c.invalidate(customerId);
}

/**
 * Listens for CDP changes on one connection of `sql` and keeps `cache` coherent; returns the function that stops it.
 * Until the first subscription, and whenever the listener has been silent for LIVE_MS, the cache answers nothing.
 */
export async function watchCdpChanges(sql: postgres.Sql, cache: PhoneCache): Promise<() => Promise<void>> {
  const ping = `ping:${process.pid}:${randomBytes(6).toString('hex')}`;
  const subscribe = () => sql.listen(CDP_CHANNEL, (payload) => {
    if (payload === ping) cache.heard();
    else if (!payload.startsWith('ping:')) cache.invalidate(payload);
  }, () => {
    // (Re)subscribed: whatever changed while we were not listening is unknown.
    cache.clear();
    cache.heard();
  });
  let sub = await subscribe();
  watched.add(cache);
  let stopped = false;
  const timer = setInterval(() => {
    if (!cache.live()) {
      cache.clear();
      // Not even our own pings arrive: subscribe again (postgres.js gives up re-listening after a failed reconnect).
      void sub.unlisten().catch(() => {}).then(subscribe).then((s) => { if (stopped) void s.unlisten(); else sub = s; }, () => {});
    }
    void sql`select pg_notify(${CDP_CHANNEL}, ${ping})`.catch(() => {});
  }, PING_MS);
  timer.unref();
  return async () => { stopped = true; watched.delete(cache); clearInterval(timer); cache.deaf(); await sub.unlisten().catch(() => {}); };
}
