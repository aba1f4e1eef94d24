// A worker-only Patchbay process (no HTTP): `npm run worker`, or `npm start` with PATCHBAY_ROLE=worker. It runs the
// job engine's queues (durable delays, queued and resumed runs and their take-over, contact syncs and their
// schedule tick) against the same PostgreSQL as the app: DATABASE_URL, or, on the machine that runs `npm start`
// with the embedded database, the URL the app wrote to $PATCHBAY_DATA_DIR/runtime.json. Start as many as you
// like, on as many machines: pg-boss hands each job to one of them.
import { boot } from './boot';

export async function runWorkerProcess(): Promise<void> {
  const log = (m: string) => console.log(`[patchbay worker] ${m}`);
  const b = await boot({ role: 'worker', log });
  log(`ready (pid ${process.pid})`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: finishing the current page of running syncs, then stopping …`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    await b.stop(async (name, fn) => { await Promise.resolve(fn()).catch((e) => console.error(`[patchbay worker] stopping ${name}:`, (e as Error).message)); });
    log('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}
