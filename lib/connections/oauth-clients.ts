// Which OAuth app Patchbay signs customers in with, per connector: PATCHBAY_<SYSTEM>_CLIENT_ID and
// PATCHBAY_<SYSTEM>_CLIENT_SECRET from the environment, or in demo mode the fixed demo app that
// `npm run emulator` registers, so "Connect with OAuth" works against a local emulator out of the box.
import { catalog } from '@/engine/connectors';

/** The environment variables read here (process.env, or a plain object in tests). */
export type Env = Record<string, string | undefined>;

export interface OAuthClient { clientId: string; clientSecret: string; demo: boolean }

/** The demo OAuth apps and the ports the README's emulator commands use, as each connector declares them. */
export const DEMO_EMULATORS: Record<string, { port: number; clientId: string; clientSecret: string }> = Object.fromEntries(
  Object.values(catalog).flatMap(({ connector: c }) => (c.emulator?.demo.oauthClient ? [[c.id, { port: c.emulator.demo.port, ...c.emulator.demo.oauthClient }]] : [])),
);

const envName = (system: string, part: 'CLIENT_ID' | 'CLIENT_SECRET') => `PATCHBAY_${system.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_${part}`;

export function oauthClientFor(system: string, env: Env = process.env): OAuthClient | null {
  const clientId = env[envName(system, 'CLIENT_ID')];
  const clientSecret = env[envName(system, 'CLIENT_SECRET')];
  if (clientId && clientSecret) return { clientId, clientSecret, demo: false };
  const demo = DEMO_EMULATORS[system];
  if (env.PATCHBAY_MODE !== 'production' && demo) return { clientId: demo.clientId, clientSecret: demo.clientSecret, demo: true };
  return null;
}

/** What the portal offers as the base URL: the local emulator in demo mode, the real service otherwise. */
export function suggestedBaseUrl(system: string, defaultBaseUrl: string, env: Env = process.env): string {
  // Every emulator's demo port, not only those with a demo OAuth app (SugarCRM signs in with a password).
  const port = Object.prototype.hasOwnProperty.call(catalog, system) ? catalog[system].connector.emulator?.demo.port : undefined;
  return env.PATCHBAY_MODE !== 'production' && port ? `http://127.0.0.1:${port}` : defaultBaseUrl;
}

export function oauthEnvNames(system: string): [string, string] {
  return [envName(system, 'CLIENT_ID'), envName(system, 'CLIENT_SECRET')];
}
