// Process configuration from the environment, read once.
import path from 'node:path';

export interface PatchbayConfig {
  port: number;
  host: string;
  databaseUrl: string | null;
  dataDir: string;
  /** production: secrets must come from the environment; demo: generated ones are kept in the data folder. */
  mode: 'production' | 'demo';
  flowTimeoutMs: number;
  demoApiKey: string | null;
  seedDemo: boolean;
  demoContacts: number;
  runWorker: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): PatchbayConfig {
  const mode = env.PATCHBAY_MODE === 'production' ? 'production' : 'demo';
  return {
    port: Number(env.PORT ?? 3000),
    host: env.HOST ?? '127.0.0.1',
    databaseUrl: env.DATABASE_URL || null,
    dataDir: path.resolve(env.PATCHBAY_DATA_DIR ?? path.join(process.cwd(), 'data')),
    mode,
    flowTimeoutMs: Number(env.PATCHBAY_FLOW_TIMEOUT_MS ?? 5000),
    demoApiKey: env.PATCHBAY_DEMO_API_KEY || null,
    seedDemo: env.PATCHBAY_SEED_DEMO ? env.PATCHBAY_SEED_DEMO !== '0' : mode === 'demo',
    demoContacts: Number(env.PATCHBAY_DEMO_CONTACTS ?? 5000),
    runWorker: env.PATCHBAY_WORKER !== '0',
  };
}

/** Patchbay's public address (NEXTAUTH_URL, set by the server at start): OAuth redirects, signed webhook URLs. */
export function publicBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return (env.NEXTAUTH_URL ?? 'http://localhost:3000').replace(/\/+$/, '');
}
