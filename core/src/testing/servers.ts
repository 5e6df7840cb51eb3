import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';
import { serverHandle, spawnServer, tempDir, waitForHttp, waitForPort, type ServerProcess } from './process.js';

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
    await waitForPort(port);
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

export interface InfluxServer extends ServerProcess {
  url: string;
  /** restarts on the same port and data dir */
  restart(): Promise<void>;
  /** stops the process but keeps the data (for outage tests); start() brings it back */
  pause(): Promise<void>;
  resume(): Promise<void>;
}

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
    const child = spawnServer('influxd', ['-config', conf]);
    await waitForHttp(`http://127.0.0.1:${port}/ping`);
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
  await waitForHttp(`http://127.0.0.1:${port}/health`);
  return { ...serverHandle(child, port, dir), url: `http://127.0.0.1:${port}` };
}

export interface PostgresServer extends ServerProcess {
  url: string;
}

function postgresBin(name: string): string {
  for (const v of ['17', '16', '15']) {
    const p = `/usr/lib/postgresql/${v}/bin/${name}`;
    if (existsSync(p)) return p;
  }
  return name;
}

/** A throwaway PostgreSQL cluster (Debian's postgresql). Runs as the current user; as root it uses "postgres". */
export async function startPostgres(): Promise<PostgresServer> {
  const port = await freePort();
  const dir = await tempDir('pg');
  const asRoot = process.getuid?.() === 0;
  const wrap = (cmd: string, args: string[]): [string, string[]] => (asRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args]);
  if (asRoot) await run('chown', ['postgres', dir]);
  const [initCmd, initArgs] = wrap(postgresBin('initdb'), ['-D', `${dir}/data`, '-U', 'tw', '--auth=trust', '-E', 'UTF8', '--no-sync']);
  await run(initCmd, initArgs);
  const [cmd, args] = wrap(postgresBin('postgres'), ['-D', `${dir}/data`, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off']);
  const child = spawnServer(cmd, args);
  await waitForPort(port);
  // the cluster accepts connections a moment after it listens
  await new Promise((r) => setTimeout(r, 300));
  return { ...serverHandle(child, port, dir), url: `postgres://tw@127.0.0.1:${port}/postgres` };
}
