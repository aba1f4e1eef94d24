import { describe, expect, it } from 'vitest';
import { cookie, createPortalLink, createSessionToken, readCookie, readPortalSession, verifyPortalLink, PORTAL_COOKIE } from './portal-session';
import { signPortalToken, verifyPortalToken } from './portal-tokens';

const secret = 'test-auth-secret-0123456789';
const customer = { id: '6f1c9a52-1111-4c2e-9a1b-000000000001', vendorId: '6f1c9a52-2222-4c2e-9a1b-000000000002', externalId: 'acme co' };
const now = Date.UTC(2026, 0, 1, 12, 0, 0);

describe('portal links', () => {
  it('are /portal/{customerId}?token=… with the expiry they were asked for', () => {
    const link = createPortalLink(secret, customer, 600, now);
    expect(link.url).toMatch(/^\/portal\/acme%20co\?token=[\w-]+\.[\w-]+$/);
    expect(link.expiresAt).toBe('2026-01-01T12:10:00.000Z');
    const token = new URL(link.url, 'http://x').searchParams.get('token');
    const r = verifyPortalLink(secret, token, now + 599_000);
    expect(r).toEqual({ ok: true, payload: { c: customer.id, v: customer.vendorId, e: now / 1000 + 600, n: expect.stringMatching(/^[\w-]{22}$/) } });
  });

  it('are refused once expired, when tampered with, or under another secret', () => {
    const token = new URL(createPortalLink(secret, customer, 600, now).url, 'http://x').searchParams.get('token')!;
    expect(verifyPortalLink(secret, token, now + 600_000)).toEqual({ ok: false, reason: 'expired' });
    const [body, mac] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ c: 'someone-else', v: customer.vendorId, e: now / 1000 + 600 })).toString('base64url');
    expect(verifyPortalLink(secret, `${forged}.${mac}`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPortalLink(secret, `${body}.${mac.slice(0, -2)}AA`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPortalLink('another-secret', token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    for (const junk of [null, '', 'abc', 'a.b.c', '.x']) expect(verifyPortalLink(secret, junk, now).ok).toBe(false);
  });

  it('cannot pass as a session or an OAuth state (each kind has its own key)', () => {
    const payload = { c: customer.id, v: customer.vendorId, e: now / 1000 + 600 };
    const link = signPortalToken(secret, 'link', payload);
    expect(verifyPortalToken(secret, 'session', link, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPortalToken(secret, 'oauth', link, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyPortalToken(secret, 'link', link, now).ok).toBe(true);
  });
});

describe('portal session cookie', () => {
  it('names one customer and is read back from the Cookie header', () => {
    const token = createSessionToken(secret, customer, now);
    const header = `other=1; ${cookie(PORTAL_COOKIE, token, 60, false).split(';')[0]}; x=y`;
    expect(readPortalSession(secret, header, now)).toEqual({ customerId: customer.id, vendorId: customer.vendorId, externalId: 'acme co', expiresAt: new Date(now + 8 * 3600_000), embedded: false });
    expect(readPortalSession(secret, header, now + 8 * 3600_000)).toBeNull();
    expect(readPortalSession(secret, 'pb_portal=garbage', now)).toBeNull();
    expect(readPortalSession(secret, undefined, now)).toBeNull();
  });

  it('is httpOnly, SameSite=Lax, Secure only over https', () => {
    expect(cookie('a', 'b c', 60, false)).toBe('a=b%20c; Path=/; HttpOnly; SameSite=Lax; Max-Age=60');
    expect(cookie('a', 'b', 60, true)).toMatch(/; Secure$/);
    expect(readCookie('a=b%20c', 'a')).toBe('b c');
  });
});
