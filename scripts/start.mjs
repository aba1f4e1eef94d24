// `npm start`: builds the web app when its sources changed since the last build, bundles the server
// (scripts/build-server.mjs) and runs it.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';
import { buildServer } from './build-server.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
// PATCHBAY_NO_UI=1 serves the API and the portal's API only: no web app to build.
const status = process.env.PATCHBAY_NO_UI === '1' ? 0 : buildIfStale();
if (status !== 0) process.exit(status);
const entry = await buildServer('server');
const child = spawn(process.execPath, ['--enable-source-maps', entry, ...process.argv.slice(2)], { stdio: 'inherit', env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...process.env } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
