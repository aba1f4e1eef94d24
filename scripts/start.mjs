// `npm start`: builds the web app when its sources changed since the last build, then runs the server.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIfStale } from './build-if-stale.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const status = buildIfStale();
if (status !== 0) process.exit(status);
const child = spawn(process.execPath, ['--import', 'tsx', 'server.ts', ...process.argv.slice(2)], { stdio: 'inherit', env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...process.env } });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
