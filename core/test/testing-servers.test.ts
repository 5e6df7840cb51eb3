import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { createInfluxDatabase, freePort, portAccepts, startInflux, startPostgres, startRedis, startVictoria, type InfluxServer, type PostgresServer, type RedisServer, type VictoriaServer, waitFor } from '@tianwang/core/testing';

// These helpers start the real Debian binaries; every integration test in the repo stands on them.
describe('testing servers', () => {
  const stops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  it('freePort returns a port nothing listens on, below the ephemeral range, never the same twice in a row', async () => {
    const [low] = (await readFile('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')).trim().split(/\s+/).map(Number);
    const ports = [await freePort(), await freePort(), await freePort()];
    for (const p of ports) {
      expect(p).toBeGreaterThan(1024);
      // outgoing connections take their local port from the ephemeral range: a test server's port must not be there
      expect(p).toBeLessThan(low!);
      expect(await portAccepts(p)).toBe(false);
    }
    expect(new Set(ports).size).toBe(3);
    // a port something listens on is skipped
    const held = createServer();
    await new Promise<void>((r) => held.listen(ports[2]! + 1, '127.0.0.1', r));
    try {
      expect(await freePort()).not.toBe(ports[2]! + 1);
    } finally {
      held.close();
    }
  });

  it('startRedis answers PING and keeps acknowledged data across a restart (AOF)', async () => {
    const redis: RedisServer = await startRedis();
    stops.push(() => redis.stop());
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    const client = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    client.on('error', () => {});
    await client.connect();
    expect(await client.ping()).toBe('PONG');
    expect(await client.config('GET', 'appendonly')).toEqual(['appendonly', 'yes']);
    await client.set('tw-test:key', 'kept');
    await client.xadd('tw-test:stream', '*', 'f', 'v');
    client.disconnect();

    const firstPid = redis.child.pid;
    await redis.restart();
    expect(redis.child.pid).not.toBe(firstPid);
    const again = new Redis(redis.url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    again.on('error', () => {});
    await again.connect();
    expect(await again.get('tw-test:key')).toBe('kept');
    expect(await again.xlen('tw-test:stream')).toBe(1);
    again.disconnect();
  });

  it('stop() ends the process and removes the data dir', async () => {
    const redis = await startRedis({ appendonly: false });
    await redis.stop();
    expect(redis.child.exitCode !== null || redis.child.signalCode !== null).toBe(true);
    expect(existsSync(redis.dir)).toBe(false);
    await redis.stop(); // idempotent
  });

  it('a server that cannot start fails at once with its own output', async () => {
    const blocker = createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      await expect(startRedis({ port })).rejects.toThrow(/redis-server exited before it was ready.*(in use|bind)/is);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      blocker.close();
    }
  });

  it('startInflux answers /ping, writes and queries, and keeps data across pause/resume', async () => {
    const influx: InfluxServer = await startInflux();
    stops.push(() => influx.stop());
    const ping = await fetch(`${influx.url}/ping`);
    expect(ping.status).toBe(204);
    expect(ping.headers.get('x-influxdb-version')).toMatch(/^v?1\./);
    await createInfluxDatabase(influx.url, 'tw_test');
    const write = await fetch(`${influx.url}/write?db=tw_test&precision=ms`, { method: 'POST', body: 'elevator,device=EL-1 floor=3i 1700000000000' });
    expect(write.status).toBe(204);
    const query = async () => {
      const res = await fetch(`${influx.url}/query?db=tw_test&q=${encodeURIComponent('SELECT floor FROM elevator')}`);
      return JSON.stringify(await res.json());
    };
    expect(await query()).toContain('[[');
    await influx.pause();
    await expect(fetch(`${influx.url}/ping`)).rejects.toThrow();
    await influx.resume();
    expect(await query()).toContain('"floor"');
    expect(await query()).toContain(',3]');
  });

  it('createInfluxDatabase reports a refused statement', async () => {
    const influx = await startInflux();
    stops.push(() => influx.stop());
    await expect(createInfluxDatabase(influx.url, 'bad"name')).rejects.toThrow(/CREATE DATABASE/);
  });

  it('startVictoria accepts an InfluxDB v2 write and exports it', async () => {
    const vm: VictoriaServer = await startVictoria();
    stops.push(() => vm.stop());
    const write = await fetch(`${vm.url}/api/v2/write?bucket=tianwang&precision=ms`, { method: 'POST', body: `boiler,device=GL-1 pressure=1.25 ${Date.now()}` });
    expect(write.status).toBe(204);
    // a new series becomes searchable a moment after the write (VictoriaMetrics' index caches)
    const exported = await waitFor(
      async () => {
        await fetch(`${vm.url}/internal/force_flush`);
        const res = await fetch(`${vm.url}/api/v1/export?match[]=${encodeURIComponent('{__name__="boiler_pressure"}')}`);
        const text = await res.text();
        return text.includes('GL-1') ? text : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 200, what: 'the series to be exported' },
    );
    expect(exported).toContain('"device":"GL-1"');
    expect(exported).toContain('[1.25]');
  });

  it('startPostgres runs a cluster that answers queries', async () => {
    const server: PostgresServer = await startPostgres();
    stops.push(() => server.stop());
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    const { rows } = await client.query<{ v: string; who: string }>('SELECT version() AS v, current_user AS who');
    await client.end();
    expect(rows[0]!.v).toMatch(/^PostgreSQL \d+/);
    expect(rows[0]!.who).toBe('tw');
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
  });

  it('startPostgres restart() keeps the data, port and url (the soak run restarts PostgreSQL under load)', async () => {
    const server: PostgresServer = await startPostgres();
    stops.push(() => server.stop());
    const query = async (sql: string) => {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      try {
        return (await client.query<{ n: number }>(sql)).rows;
      } finally {
        await client.end();
      }
    };
    await query('CREATE TABLE kept (n int); INSERT INTO kept VALUES (42)');
    const before = server.child.pid;
    await server.restart();
    expect(server.child.pid).not.toBe(before);
    expect(await query('SELECT n FROM kept')).toEqual([{ n: 42 }]);
    await server.stop();
    expect(existsSync(server.dir)).toBe(false);
  });
});
