// An in-memory CDP with the same semantics as the Postgres one, for engine tests and the CLI.
import { compareCallerMatches, displayNameOf, type CdpContact, type CdpLookupHit, type UnifiedContact } from '../core/contact';
import type { CdpPort } from '../core/define-block';
import { normalizePhone } from '../core/phone';

export function createMemoryCdp(defaultCountry = 'US'): CdpPort & { contacts: Map<string, CdpContact> } {
  const contacts = new Map<string, CdpContact>();
  const key = (s: string, id: string) => `${s}\u0000${id}`;
  // When each contact was last written (ms, strictly increasing so a later write is always newer).
  const writtenAt = new Map<string, number>();
  let clock = 0;
  return {
    contacts,
    async lookupByPhone(e164): Promise<CdpLookupHit | null> {
      const hits = [...contacts.values()].filter((c) => c.phones.includes(e164)).map((c) => ({ ...c, writtenAt: writtenAt.get(key(c.source, c.externalId)) ?? 0 }));
      if (!hits.length) return null;
      const { writtenAt: _w, ...best } = hits.sort(compareCallerMatches)[0];
      return { ...best, matches: hits.length };
    },
    async findByExternalId(source, externalId) {
      return contacts.get(key(source, externalId)) ?? null;
    },
    async upsert(list: UnifiedContact[]) {
      let inserted = 0, updated = 0, unchanged = 0;
      const rejected: { externalId: string; reason: string }[] = [];
      for (const c of list) {
        const phones: string[] = [];
        for (const p of c.phones) {
          const n = normalizePhone(p, c.country ?? defaultCountry);
          if (n.e164) { if (!phones.includes(n.e164)) phones.push(n.e164); } else rejected.push({ externalId: c.externalId, reason: `${p}: ${n.reason}` });
        }
        const next: CdpContact = {
          source: c.source, externalId: c.externalId, kind: c.kind ?? 'person',
          firstName: c.firstName ?? null, lastName: c.lastName ?? null, displayName: displayNameOf(c),
          company: c.company ?? null, email: c.email ?? null, phones, country: c.country ?? null,
          crmUrl: c.crmUrl ?? null, ownerId: c.ownerId ?? null, custom: c.custom ?? {}, updatedAt: c.updatedAt ?? null,
        };
        const prev = contacts.get(key(c.source, c.externalId));
        if (!prev) inserted++;
        else if (JSON.stringify(prev) === JSON.stringify(next)) { unchanged++; continue; }
        else updated++;
        contacts.set(key(c.source, c.externalId), next);
        writtenAt.set(key(c.source, c.externalId), (clock = Math.max(Date.now(), clock + 1)));
      }
      return { inserted, updated, unchanged, rejected };
    },
    async delete(source, ids) {
      let n = 0;
      for (const id of ids) if (contacts.delete(key(source, id))) { writtenAt.delete(key(source, id)); n++; }
      return n;
    },
  };
}
