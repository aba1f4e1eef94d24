import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { startHubspotEmulator } from './emulator';
import { deletionsByPortal, HUBSPOT_SIGNATURE_HEADER, HUBSPOT_TIMESTAMP_HEADER, signHubspotRequest, verifyHubspotRequest, type HubspotWebhookEvent } from './webhooks';

const secret = 'app-secret';

describe('hubspot webhooks', () => {
  it('signs v3 as method + URI + body + timestamp, and refuses a changed request, another secret or a stale timestamp', () => {
    const now = 1_800_000_000_000;
    const req = { method: 'POST', uri: 'https://pb.example.com/api/v1/hooks/acme/hubspot', body: '[{"objectId":1}]', timestamp: String(now - 1000) };
    const signature = signHubspotRequest(secret, req.method, req.uri, req.body, req.timestamp);
    expect(signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(verifyHubspotRequest(secret, { ...req, signature }, now)).toBe('ok');
    expect(verifyHubspotRequest(secret, { ...req, body: '[{"objectId":2}]', signature }, now)).toBe('bad_signature');
    expect(verifyHubspotRequest(secret, { ...req, uri: req.uri + '?x=1', signature }, now)).toBe('bad_signature');
    expect(verifyHubspotRequest('other', { ...req, signature }, now)).toBe('bad_signature');
    expect(verifyHubspotRequest(secret, { ...req, signature }, now + 6 * 60_000)).toBe('stale');
    expect(verifyHubspotRequest(secret, { ...req, signature: undefined }, now)).toBe('missing');
  });

  it('reads deletions per portal (contacts, privacy deletions, companies) and ignores other events', () => {
    const e = (portalId: number, subscriptionType: string, objectId: number) => ({ eventId: 1, subscriptionId: 1, appId: 1, occurredAt: 0, attemptNumber: 0, portalId, subscriptionType, objectId }) as HubspotWebhookEvent;
    const out = deletionsByPortal([e(1, 'contact.deletion', 10), e(1, 'company.deletion', 20), e(2, 'contact.privacyDeletion', 30), e(1, 'contact.propertyChange', 40)]);
    expect(Object.fromEntries(out)).toEqual({ 1: [{ id: '10', kind: 'person' }, { id: '20', kind: 'company' }], 2: [{ id: '30', kind: 'person' }] });
  });

  it('the emulator announces a deletion signed as HubSpot does, and retries until the receiver takes it', async () => {
    const seen: { ok: string; body: string }[] = [];
    let calls = 0;
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const url = `http://127.0.0.1:${(receiver.address() as { port: number }).port}${req.url}`;
        seen.push({ ok: verifyHubspotRequest(secret, { method: 'POST', uri: url, body, signature: String(req.headers[HUBSPOT_SIGNATURE_HEADER]), timestamp: String(req.headers[HUBSPOT_TIMESTAMP_HEADER]) }), body });
        res.writeHead(++calls === 1 ? 503 : 200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const emu = await startHubspotEmulator({ contacts: 3, companies: 1, portalId: 777, webhook: { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, clientSecret: secret, retryDelayMs: 10 } });
    try {
      const id = emu.store.list('contacts')[0].id;
      emu.store.remove('contacts', id);
      for (let i = 0; i < 100 && emu.webhookLog.length < 2; i++) await new Promise((r) => setTimeout(r, 20));
      expect(emu.webhookLog.map((w) => [w.attempt, w.status])).toEqual([[0, 503], [1, 200]]);
      expect(seen.map((s) => s.ok)).toEqual(['ok', 'ok']);
      expect(JSON.parse(seen[1].body)).toEqual([expect.objectContaining({ portalId: 777, subscriptionType: 'contact.deletion', objectId: Number(id), attemptNumber: 1 })]);
    } finally {
      await emu.close();
      receiver.close();
    }
  });
});
