// `npm run worker`: a worker-only Patchbay process (no HTTP). It runs the job engine's queues (durable delays,
// async runs, contact syncs and their schedule tick) against the same PostgreSQL as the app: DATABASE_URL,
// or, on the machine that runs `npm start` with the embedded database, the URL the app wrote to
// $PATCHBAY_DATA_DIR/runtime.json. Start as many as you like, on as many machines: pg-boss hands each job
// to one of them, and a sync whose worker dies is resumed by another once its lease runs out.
import { boot } from './lib/boot';

const log = (m: string) => console.log(`[patchbay worker] ${m}`);

async function main() {
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

main().catch((err) => {
  console.error('[patchbay worker] failed to start:', err instanceof Error ? err.message : err);
  if (process.env.PATCHBAY_DEBUG === '1') console.error(err);
  process.exit(1);
});
