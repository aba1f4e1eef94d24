// Starts one Patchbay server for the API suite. PATCHBAY_TEST_DB=embedded (default) or url.
import type { TestProject } from 'vitest/node';
import { dropScratchDatabase, startServer, type StartedServer } from './server-process';

let server: StartedServer | undefined;
const METRICS_TOKEN = `metrics-${Math.random().toString(36).slice(2)}-token`;

export default async function setup(project: TestProject) {
  const dbKind = process.env.PATCHBAY_TEST_DB === 'url' ? 'url' : 'embedded';
  // /metrics is on for the suite (tests/api/metrics.test.ts).
  server = await startServer({ dbKind, env: { PATCHBAY_METRICS_TOKEN: METRICS_TOKEN } });
  project.provide('baseUrl', server.baseUrl);
  project.provide('apiKey', server.apiKey);
  project.provide('databaseUrl', server.databaseUrl);
  project.provide('dbKind', dbKind);
  project.provide('dataDir', server.dataDir);
  project.provide('metricsToken', METRICS_TOKEN);
  return async () => {
    const t = Date.now();
    await server?.stop();
    if (server?.dbKind === 'url') await dropScratchDatabase(server.databaseUrl);
    if (Date.now() - t > 3000) console.error(`server stop took ${Date.now() - t} ms; output tail:\n${server?.output().slice(-1500)}`);
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    apiKey: string;
    databaseUrl: string;
    dbKind: 'embedded' | 'url';
    dataDir: string;
    metricsToken: string;
  }
}
