// Turns what went wrong talking to a connected system into one sentence a customer can act on
// ("HubSpot rejected the token: reconnect HubSpot"); the technical detail stays in the server log / run.
import { PatchbayError } from '@/engine';
import { DecryptionError } from '../crypto/credentials';
import { clientMessage } from '../db/database-error';

function hostOf(url: string): string {
  try { return new URL(url).host; } catch { return url; }
}

export function describeConnectionError(err: unknown, c: { name: string; authKind: string; baseUrl: string }): string {
  const { name } = c;
  if (err instanceof DecryptionError) return `Patchbay cannot read the stored ${name} credentials (the encryption key changed): reconnect ${name}`;
  const message = clientMessage(err, `${name} connection`);
  if (/Refusing to call/.test(message)) return `Patchbay does not call private or local addresses (${hostOf(c.baseUrl)}): use ${name}'s public address as the base URL`;
  if (!(err instanceof PatchbayError)) return `${name} could not be checked: ${message}`;
  const details = (err.details ?? {}) as { status?: number | null };
  const status = typeof details.status === 'number' ? details.status : null;
  switch (err.code) {
    case 'connection_auth':
      if (/authorization server refused/i.test(message)) return `${name} refused to renew Patchbay's access: reconnect ${name}`;
      if (status === 403) return `${name} refused access: the account lacks a permission Patchbay needs; reconnect ${name} with the permissions the help lists`;
      if (status === 401) {
        return c.authKind === 'oauth2'
          ? `${name} no longer accepts Patchbay's access (revoked or expired): reconnect ${name}`
          : `${name} rejected the token: reconnect ${name}`;
      }
      return message;
    case 'network_error':
      return `Patchbay could not reach ${name} at ${hostOf(c.baseUrl)}: check the base URL`;
    case 'not_found':
      return `${name} answered "not found" at ${hostOf(c.baseUrl)}: check the base URL`;
    case 'timeout':
      return message;
    case 'rate_limited':
      return `${name} is limiting requests right now: try again in a minute`;
    case 'upstream_error':
      if (status !== null && status >= 500) return `${name} had a problem on its side (HTTP ${status}): try again later`;
      return message;
    default:
      return message;
  }
}
