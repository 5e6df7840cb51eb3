import { chown, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { execFile, type ChildProcess } from 'node:child_process';
import pg from 'pg';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { readyOrExit, serverHandle, spawnServer, tempDir, waitForHttp, type ServerProcess } from './process.js';

const run = promisify(execFile);

/**
 * Real servers for integration tests, each on a free port in its own temp dir, so test files and
 * concurrent runs never collide. The binaries come from Debian (scripts/services.sh installs them).
 */

export interface RedisServer extends ServerProcess {
  url: string;
  /** restarts on the same port and data dir (AOF keeps what was acknowledged) */
  restart(): Promise<void>;
}

export async function startRedis(opts: { port?: number; dir?: string; appendonly?: boolean } = {}): Promise<RedisServer> {
  const port = opts.port ?? (await freePort());
  const dir = opts.dir ?? (await tempDir('redis'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', opts.appendonly === false ? 'no' : 'yes', '--appendfsync', 'everysec', '--daemonize', 'no'];
  const launch = async () => {
    const child = spawnServer('redis-server', args);
    await readyOrExit(child, 'redis-server', waitForRedisPing(port));
    return child;
  };
  let handle = serverHandle(await launch(), port, dir);
  const server: RedisServer = {
    ...handle,
    url: `redis://127.0.0.1:${port}`,
    stop: (o) => handle.stop(o),
    kill: () => handle.kill(),
    async restart() {
      await handle.stop({ keepDir: true });
      handle = serverHandle(await launch(), port, dir);
      server.child = handle.child;
    },
  };
  return server;
}

/** Polls until the port answers PING with PONG: an open port alone may be someone else's listener. */
async function waitForRedisPing(port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let reply = '';
      const done = (result: boolean) => {
        socket.destroy();
        resolve(result);
      };
      socket.setTimeout(1000, () => done(false));
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.on('data', (b) => {
        reply += b.toString();
        if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
      });
      socket.once('error', () => done(false));
      socket.once('close', () => done(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis on 127.0.0.1:${port} does not answer PING after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface InfluxServer extends ServerProcess {
  url: string;
  /** restarts on the same port and data dir */
  restart(): Promise<void>;
  /** stops the process but keeps the data (for outage tests); start() brings it back */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

/** Go's GC target for influxd, the same in production (scripts/services.sh) and in tests; TW_INFLUX_GOGC overrides it in both. */
export const INFLUXD_GOGC = '200';

/** InfluxDB 1.x (Debian's influxd 1.6): v1 API on /write and /query. */
export async function startInflux(): Promise<InfluxServer> {
  const port = await freePort();
  const rpcPort = await freePort();
  const dir = await tempDir('influx');
  const conf = join(dir, 'influxdb.conf');
  await writeFile(
    conf,
    [
      'reporting-disabled = true',
      `bind-address = "127.0.0.1:${rpcPort}"`,
      '[meta]',
      `  dir = "${dir}/meta"`,
      '[data]',
      `  dir = "${dir}/data"`,
      `  wal-dir = "${dir}/wal"`,
      '  query-log-enabled = false',
      '  cache-max-memory-size = "512m"',
      '[monitor]',
      '  store-enabled = false',
      '[http]',
      `  bind-address = "127.0.0.1:${port}"`,
      '  log-enabled = false',
      '  max-body-size = 0',
      '[logging]',
      '  level = "warn"',
      '[continuous_queries]',
      '  enabled = false',
      '',
    ].join('\n'),
  );
  const launch = async () => {
    // as scripts/services.sh runs it: GOGC=200 spends ≈ a fifth less of influxd's CPU on Go's garbage collector
    // (bench/ingest/influx-cost.ts: 43–44 → 35 µs per point) for ≈ 50 MB more heap
    const child = spawnServer('influxd', ['-config', conf], { env: { GOGC: process.env.TW_INFLUX_GOGC ?? INFLUXD_GOGC } });
    // influxd replays its WAL before it answers: after an outage with a backlog on a loaded machine that took > 20 s
    await readyOrExit(child, 'influxd', waitForHttp(`http://127.0.0.1:${port}/ping`, 90_000));
    return child;
  };
  let handle = serverHandle(await launch(), port, dir);
  const server: InfluxServer = {
    ...handle,
    url: `http://127.0.0.1:${port}`,
    stop: (o) => handle.stop(o),
    kill: () => handle.kill(),
    async pause() {
      await handle.stop({ keepDir: true });
    },
    async resume() {
      handle = serverHandle(await launch(), port, dir);
      server.child = handle.child;
    },
    async restart() {
      await server.pause();
      await server.resume();
    },
  };
  return server;
}

/** Creates a database on an InfluxDB 1.x server. */
export async function createInfluxDatabase(url: string, db: string): Promise<void> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE "${db}"` }) });
  if (!res.ok) throw new Error(`CREATE DATABASE ${db}: ${res.status} ${await res.text()}`);
}

export interface VictoriaServer extends ServerProcess {
  url: string;
}

/** VictoriaMetrics: accepts InfluxDB v2 line protocol on /api/v2/write (the v2 write path test). */
export async function startVictoria(): Promise<VictoriaServer> {
  const port = await freePort();
  const dir = await tempDir('vm');
  const child = spawnServer('victoria-metrics', [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${dir}`,
    '-retentionPeriod=100y',
    '-search.latencyOffset=0s',
    '-loggerLevel=ERROR',
  ]);
  await readyOrExit(child, 'victoria-metrics', waitForHttp(`http://127.0.0.1:${port}/health`));
  return { ...serverHandle(child, port, dir), url: `http://127.0.0.1:${port}` };
}

export interface PostgresServer extends ServerProcess {
  url: string;
  /**
   * Stops the cluster and starts it again on the same port and data dir. `smart` (SIGTERM, the default) refuses new
   * connections and waits until every session has ended (pools that stay busy hold it up; after 10 s it is killed,
   * and the start runs crash recovery). `fast` (SIGINT) ends every session at once, in the middle of its transaction: what `systemctl restart
   * postgresql` does (pg_ctlcluster's default stop mode).
   */
  restart(mode?: 'smart' | 'fast'): Promise<void>;
}

function postgresBin(name: string): string {
  for (const v of ['17', '16', '15']) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  return name;
}

async function accountIds(user: string): Promise<{ uid: number; gid: number }> {
  const [{ stdout: uid }, { stdout: gid }] = await Promise.all([run('id', ['-u', user]), run('id', ['-g', user])]);
  return { uid: Number(uid.trim()), gid: Number(gid.trim()) };
}

/** Polls until the cluster accepts a real connection (it listens a moment before it accepts). */
async function waitForPostgres(url: string, child: ChildProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => {});
      if (child.exitCode !== null) throw new Error(`postgres exited (${child.exitCode}): ${outputTail(child)}`);
      if (Date.now() > deadline) throw new Error(`postgres at ${url} does not accept connections after ${timeoutMs} ms: ${(err as Error).message}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

function outputTail(child: ChildProcess): string {
  return (child as ChildProcess & { outputTail?: () => string }).outputTail?.() ?? '';
}

/**
 * A throwaway PostgreSQL cluster (Debian's postgresql). Runs as the current user; as root (postgres refuses
 * to run as root) the processes run as the "postgres" account, spawned with its uid directly rather than
 * through runuser, so that signals reach postgres itself and a SIGKILL on test exit leaves no orphan.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const port = await freePort();
  const dir = await tempDir('pg');
  const ids = process.getuid?.() === 0 ? await accountIds('postgres') : undefined;
  if (ids) await chown(dir, ids.uid, ids.gid);
  try {
    await run(postgresBin('initdb'), ['-D', `${dir}/data`, '-U', 'tw', '--auth=trust', '-E', 'UTF8', '--no-sync'], { ...ids, cwd: dir });
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`initdb failed: ${(err as { stderr?: string }).stderr ?? (err as Error).message}`);
  }
  const url = `postgres://tw@127.0.0.1:${port}/postgres`;
  const launch = async () => {
    const child = spawnServer(
      postgresBin('postgres'),
      ['-D', `${dir}/data`, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off'],
      { ...ids, cwd: dir },
    );
    const started = serverHandle(child, port, dir);
    try {
      await readyOrExit(child, 'postgres', waitForPostgres(url, child));
    } catch (err) {
      await started.stop({ keepDir: true });
      throw err;
    }
    return started;
  };
  let handle: ServerProcess;
  try {
    handle = await launch();
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const server: PostgresServer = {
    ...handle,
    url,
    stop: (o) => handle.stop(o),
    kill: () => handle.kill(),
    async restart(mode = 'smart') {
      await handle.stop({ keepDir: true, signal: mode === 'fast' ? 'SIGINT' : 'SIGTERM' });
      handle = await launch();
      server.child = handle.child;
    },
  };
  return server;
}
