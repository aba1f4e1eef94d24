import { describe, expect, it } from 'vitest';
import { HttpError, PatchbayError } from '@/engine';
import { DecryptionError } from '../crypto/credentials';
import { describeConnectionError } from './describe-connection-error';

const hs = { name: 'HubSpot', authKind: 'apiKey', baseUrl: 'http://127.0.0.1:4010' };
const http = (kind: ConstructorParameters<typeof HttpError>[0], status: number | null) => new HttpError(kind, 'technical detail', status, null, []);

describe('describeConnectionError', () => {
  it('says what to do, in plain words', () => {
    expect(describeConnectionError(http('auth', 401), hs)).toBe('HubSpot rejected the token: reconnect HubSpot');
    expect(describeConnectionError(http('auth', 401), { ...hs, authKind: 'oauth2' })).toBe("HubSpot no longer accepts Patchbay's access (revoked or expired): reconnect HubSpot");
    expect(describeConnectionError(http('forbidden', 403), hs)).toMatch(/^HubSpot refused access: the account lacks a permission/);
    expect(describeConnectionError(http('network', null), hs)).toBe('Patchbay could not reach HubSpot at 127.0.0.1:4010: check the base URL');
    expect(describeConnectionError(http('not_found', 404), hs)).toBe('HubSpot answered "not found" at 127.0.0.1:4010: check the base URL');
    expect(describeConnectionError(http('server', 503), hs)).toBe('HubSpot had a problem on its side (HTTP 503): try again later');
    expect(describeConnectionError(http('rate_limited', 429), hs)).toMatch(/limiting requests/);
    expect(describeConnectionError(new DecryptionError(), hs)).toMatch(/encryption key changed\): reconnect HubSpot$/);
    expect(describeConnectionError(new PatchbayError('connection_auth', 'The authorization server refused the token request: bad; reconnect'), { ...hs, authKind: 'oauth2' })).toBe("HubSpot refused to renew Patchbay's access: reconnect HubSpot");
    expect(describeConnectionError(new Error('Refusing to call 10.0.0.1: private and loopback addresses are blocked'), { ...hs, baseUrl: 'http://10.0.0.1' })).toMatch(/does not call private or local addresses \(10\.0\.0\.1\)/);
  });
});
