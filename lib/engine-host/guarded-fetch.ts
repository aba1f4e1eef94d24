// Outgoing HTTP from user-configured blocks refuses private and loopback addresses unless the install
// allows them (PATCHBAY_ALLOW_PRIVATE_HOSTS=1; on by default in demo mode, where emulators run on loopback).
import { lookup } from 'node:dns/promises';
import net from 'node:net';

export function isPrivateAddress(ip: string): boolean {
  if (net.isIPv4(ip)) {
    const [a, b] = ip.split('.').map(Number);
    return a === 10 || a === 127 || a === 0 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127);
  }
  const v = ip.toLowerCase();
  if (v.startsWith('::ffff:')) return isPrivateAddress(v.slice(7));
  return v === '::1' || v === '::' || v.startsWith('fc') || v.startsWith('fd') || v.startsWith('fe80');
}

export function createGuardedFetch(allowPrivate: boolean): typeof fetch {
  if (allowPrivate) return fetch;
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.toString() : input.url);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const addresses = net.isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
    if (host === 'localhost' || addresses.some(isPrivateAddress)) {
      throw new Error(`Refusing to call ${url.hostname}: private and loopback addresses are blocked (set PATCHBAY_ALLOW_PRIVATE_HOSTS=1 to allow)`);
    }
    return fetch(input, init);
  }) as typeof fetch;
}
