import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';
import { append, countPoints, devices, elevatorTelemetry, entry, freshPrefix, ingestConfig, telemetryTopic, waitFor, useServers } from './helpers.js';

const servers = useServers();

const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

function startWorker(name: string, config: unknown, list: unknown): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--conditions=@tianwang/source', '--import', 'tsx', 'ingest/test/fixtures/worker.ts'], {
    cwd: new URL('../..', import.meta.url).pathname,
    env: { ...process.env, TW_TEST_CONFIG: JSON.stringify(config), TW_TEST_DEVICES: JSON.stringify(list), TW_TEST_CONSUMER: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve(child));
    child.once('exit', (code) => reject(new Error(`worker ${name} exited ${code}: ${err.slice(-2000)}`)));
  });
}

describe('a pool of two ingest processes', () => {
  it.each([
    ['holding whole entries (it never writes)', { ingestFlushMs: 3000, ingestBatchSize: 100_000 }],
    // 16-point writes, one at a time: it dies with entries of 64 messages partly written (not acknowledged)
    ['mid-entry (some of an entry\'s points written)', { ingestFlushMs: 5, ingestBatchSize: 16, ingestWriteConcurrency: 1 }],
  ])('loses nothing when one worker is killed (SIGKILL) %s: the other reclaims whole entries', async (_name, victimIngest) => {
    const prefix = freshPrefix();
    const keys = pipelineKeys(prefix);
    const list = devices(200);
    const base = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, { ingestClaimIdleMs: 2000, ingestReadCount: 500 });
    // The victim holds its batches for 3 s before writing: it surely dies with entries read and not acknowledged.
    const victimConfig = { ...base, ingest: { ...base.ingest, ...victimIngest } };
    const [victim] = await Promise.all([startWorker('victim', victimConfig, list), startWorker('survivor', base, list)]);

    const total = 20_000;
    const t0 = Date.now() - 600_000;
    const all = Array.from({ length: total }, (_, i) => entry(telemetryTopic('elevator', list[i % 200]!.id), elevatorTelemetry(t0 + Math.floor(i / 200) * 1000, i)));
    await append(servers.redis, prefix, all.slice(0, 10_000));
    // killed while it holds entries read and not acknowledged: the pause counts from when it has some, not from the
    // append (the test needed a retry once in CI, 10:44; its error was not kept, and this timing assumption was one suspect)
    const held = async () => {
      const pending = (await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number, string, string, [string, string][] | null];
      return Number(pending[3]?.find(([c]) => c === 'victim')?.[1] ?? 0);
    };
    await waitFor(held, (n) => n > 0, 10_000, 20);
    await new Promise((r) => setTimeout(r, 200)); // the mid-entry victim has written some of its points by now
    const victimHeld = await held();
    victim!.kill('SIGKILL');
    expect(victimHeld).toBeGreaterThan(0);
    await append(servers.redis, prefix, all.slice(10_000));

    const n = await waitFor(() => countPoints(servers.influx.url, base.influx.influxDatabase, 'elevator', 'floor'), (c) => c >= total, 60_000, 500);
    expect(n).toBe(total);
    await waitFor(async () => ((await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number])[0], (c) => c === 0, 20_000);
  }, 120_000);
});
