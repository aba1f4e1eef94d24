import { describe, expect, it } from 'vitest';
import { normaliseOrigin, originsSchema, brandingSchema, widgetActionsSchema } from '../embed/embed-settings';
import { createPortalLink, createSessionToken } from '../portal/portal-session';
import { mintWidgetToken, verifyWidgetToken } from './widget-tokens';

const secret = 'test-secret-0123456789abcdef0123456789';
const customer = { id: '3f0c7a9e-0000-4000-8000-000000000001', vendorId: '3f0c7a9e-0000-4000-8000-0000000000aa', externalId: 'acme' };

describe('widget tokens', () => {
  it('name one customer until they expire', () => {
    const now = Date.UTC(2026, 10, 30, 6, 0, 0);
    const { token, expiresAt } = mintWidgetToken(secret, customer, 600, now);
    expect(token.startsWith('pbw_')).toBe(true);
    expect(expiresAt).toBe('2026-11-30T06:10:00.000Z');
    expect(verifyWidgetToken(secret, token, now + 599_000)).toEqual({ ok: true, claims: { customerId: customer.id, vendorId: customer.vendorId, externalId: 'acme', expiresAt: new Date(expiresAt) } });
    expect(verifyWidgetToken(secret, token, now + 600_000)).toEqual({ ok: false, reason: 'expired' });
  });

  it('refuse another secret, an altered payload, no token and other kinds of portal token', () => {
    const { token } = mintWidgetToken(secret, customer);
    expect(verifyWidgetToken('another-secret-0123456789abcdef01234', token)).toEqual({ ok: false, reason: 'bad_signature' });
    const [body, mac] = token.slice(4).split('.');
    const other = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(body, 'base64url').toString()), x: 'bravo' })).toString('base64url');
    expect(verifyWidgetToken(secret, `pbw_${other}.${mac}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWidgetToken(secret, undefined)).toEqual({ ok: false, reason: 'missing' });
    expect(verifyWidgetToken(secret, token.slice(4))).toEqual({ ok: false, reason: 'malformed' });
    // A portal link or session signed with the same secret is not a widget token (each kind has its own key).
    const link = new URLSearchParams(createPortalLink(secret, customer).url.split('?')[1]).get('token')!;
    expect(verifyWidgetToken(secret, `pbw_${link}`)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(verifyWidgetToken(secret, `pbw_${createSessionToken(secret, customer)}`)).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

describe('embed settings', () => {
  it('take origins as browsers send them: scheme and host, https or loopback http', () => {
    expect(normaliseOrigin('https://app.example.com')).toBe('https://app.example.com');
    expect(normaliseOrigin('https://App.Example.com/')).toBe('https://app.example.com');
    expect(normaliseOrigin('https://app.example.com:8443')).toBe('https://app.example.com:8443');
    expect(normaliseOrigin('http://localhost:5173')).toBe('http://localhost:5173');
    expect(normaliseOrigin('http://127.0.0.1:8080')).toBe('http://127.0.0.1:8080');
    for (const bad of ['http://app.example.com', 'https://app.example.com/path', 'https://app.example.com?x=1', 'ftp://x.example', '*', 'https://user:pw@x.example', 'app.example.com', "https://x.example 'unsafe-inline'", 'https://a.example;script-src', 'https://a_b.example']) {
      expect(normaliseOrigin(bad), bad).toBeNull();
    }
    expect(originsSchema.parse(['https://a.example', 'https://a.example/'])).toEqual(['https://a.example']);
    const r = originsSchema.safeParse(['https://ok.example', 'https://bad.example/x']);
    expect(r.success).toBe(false);
    expect(r.error!.issues[0].path).toEqual([1]);
  });

  it('check colours, logos and widget actions naming the field', () => {
    expect(brandingSchema.safeParse({ primaryColor: 'red' }).error!.issues[0].path).toEqual(['primaryColor']);
    expect(brandingSchema.safeParse({ logo: 'https://cdn.example/logo.png' }).error!.issues[0].path).toEqual(['logo']);
    expect(brandingSchema.safeParse({ logo: 'data:text/html;base64,PHNjcmlwdD4=' }).success).toBe(false);
    expect(brandingSchema.parse({ brandName: '  ', logo: 'data:image/png;base64,iVBORw0KGgo=' })).toMatchObject({ brandName: null, logo: 'data:image/png;base64,iVBORw0KGgo=' });
    const dup = widgetActionsSchema.safeParse([{ key: 'a', label: 'A', automation: 'x' }, { key: 'a', label: 'B', automation: 'y' }]);
    expect(dup.error!.issues[0].path).toEqual([1, 'key']);
    expect(widgetActionsSchema.safeParse([{ key: 'Bad Key', label: 'A', automation: 'x' }]).error!.issues[0].path).toEqual([0, 'key']);
    expect(widgetActionsSchema.safeParse([{ key: 'a', label: '', automation: 'x' }]).error!.issues[0].path).toEqual([0, 'label']);
  });
});
