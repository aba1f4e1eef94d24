// `npm run worker`: bundles worker.ts (scripts/build-server.mjs) and runs it; see worker.ts.
import { spawn } from 'node:child_process';
import { buildServer } from './build-server.mjs';

const entry = await buildServer('worker');
const child = spawn(process.execPath, ['--enable-source-maps', entry, ...process.argv.slice(2)], { stdio: 'inherit', env: { NODE_ENV: 'production', ...process.env } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
