import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS, pipelineKeys, readUplinkMessages } from '@tianwang/core/pipeline';
import { createInfluxDatabase } from '@tianwang/core/testing';
import { boilerTelemetry, devices, elevatorTelemetry, entry, freshPrefix, influxQuery, ingestConfig, lookupOf, metricValue, telemetryTopic, append, useServers, waitFor } from './helpers.js';
import { silentLogger } from '@tianwang/core/log';
import { createInfluxClient, routeClientLog } from '../src/influx-client.js';
import { InfluxWriter } from '../src/influx-writer.js';
import { createIngest, invalidCounts, listDeadLetters } from '../src/index.js';
import type { Refusal } from '../src/write-refusals.js';

const servers = useServers();
// the client logs every refused write to the console otherwise (ingest routes it to its own logger)
routeClientLog(silentLogger());

async function writeRaw(db: string, body: string): Promise<void> {
  const res = await fetch(`${servers.influx.url}/write?db=${db}&precision=ns`, { method: 'POST', body });
  expect(res.status).toBe(204);
}

/** Writes lines through the writer alone; resolves with what it reported. */
function writeThroughWriter(db: string, lines: string[]): Promise<{ refusals: Refusal[]; requests: number }> {
  const client = createInfluxClient({ influxApi: 'v1', influxUrl: servers.influx.url, influxDatabase: db, influxOrg: '', influxToken: undefined, influxTimeoutMs: 5000, influxRetryMaxMs: 1000 });
  return new Promise((resolve, reject) => {
    const writer = new InfluxWriter(client, { database: db, org: '', batchSize: 5000, flushMs: 5, concurrency: 1, retryMaxMs: 1000 }, {
      written: () => resolve({ refusals: [], requests: 1 }),
      refused: (_b, refusals) => resolve({ refusals, requests: 0 }),
      failed: (_b, err) => reject(err),
    });
    writer.add(lines, lines.map((_, i) => `${i + 1}-0`), lines.map(() => 0), Date.now());
  });
}

async function values(db: string, q: string): Promise<unknown[][]> {
  const r = await influxQuery(servers.influx.url, db, q);
  return r.results[0]?.series?.[0]?.values ?? [];
}

describe('InfluxDB refuses part of a batch (HTTP 400 "partial write")', () => {
  it('the writer reports exactly the lines influxd could not parse, with its reasons, and the rest is stored', async () => {
    const db = `w_${freshPrefix()}`;
    await createInfluxDatabase(servers.influx.url, db);
    const t = `${Date.now() - 60_000}000000`;
    const lines = ['m,t=a v=0i ' + t, 'm,t=x\\ v=1i ' + t, 'm,t=b v=2i ' + t, 'm,t= v=3i ' + t, 'm,t=c v=4i ' + t];
    const { refusals } = await writeThroughWriter(db, lines);
    expect(refusals).toEqual([
      { line: 1, reason: 'invalid tag format' },
      { line: 3, reason: 'missing tag value' },
    ]);
    expect((await values(db, 'SELECT v FROM m')).map((r) => r[1]).sort()).toEqual([0, 2, 4]);
  });

  it('finds lines influxd drops without naming them (a field type conflict hides the parse failures too)', async () => {
    const db = `w_${freshPrefix()}`;
    await createInfluxDatabase(servers.influx.url, db);
    const ts = Date.now() - 60_000;
    await writeRaw(db, `m,t=seed v=1i ${ts}000000`);
    // v as a float conflicts with the integer field; line 4 cannot be parsed, and influxd's answer only says "dropped=3"
    const lines = Array.from({ length: 12 }, (_, i) => `m,t=l${i} v=${i === 2 || i === 7 || i === 8 ? `${i}.5` : `${i}i`} ${ts + i}000000`);
    lines[4] = `m,t=x\\ v=4i ${ts + 4}000000`;
    const { refusals } = await writeThroughWriter(db, lines);
    expect(refusals.map((r) => r.line)).toEqual([2, 4, 7, 8]);
    expect(refusals.find((r) => r.line === 2)!.reason).toMatch(/^field type conflict: input field "v" on measurement "m" is type float, already exists as type integer$/);
    expect(refusals.find((r) => r.line === 4)!.reason).toBe('invalid tag format');
    expect((await values(db, "SELECT v FROM m WHERE t != 'seed'")).map((r) => r[1])).toEqual([0, 1, 3, 5, 6, 9, 10, 11]);
  });

  it('ingest counts the written points as written, parks exactly the refused ones with the reason, and acknowledges all', async () => {
    const prefix = freshPrefix();
    const keys = pipelineKeys(prefix);
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url });
    const db = config.influx.influxDatabase;
    await createInfluxDatabase(servers.influx.url, db);
    const t0 = Date.now() - 60_000;
    // boiler pressure already exists as an integer (another writer, an old schema): every boiler point conflicts
    await writeRaw(db, `boiler,device=OLD1 pressure=1i ${t0}000000`);
    const ingest = createIngest(config, { registry: { devices: lookupOf([...devices(3), ...devices(2, 'boiler')]) } });
    await ingest.start();
    try {
      const sent = [];
      for (let i = 0; i < 30; i++) {
        sent.push(entry(telemetryTopic('elevator', `E0000${i % 3}`), elevatorTelemetry(t0 + i * 100, i)));
        if (i % 3 === 0) sent.push(entry(telemetryTopic('boiler', `B0000${i % 2}`), boilerTelemetry(t0 + i * 100, i)));
      }
      await append(servers.redis, prefix, sent);
      const m = await waitFor(() => ingest.metrics.metrics(), (text) => metricValue(text, 'ingest_points_written_total') + metricValue(text, 'ingest_points_rejected_total') >= 40, 20_000);
      expect(metricValue(m, 'ingest_points_written_total')).toBe(30);
      expect(metricValue(m, 'ingest_points_rejected_total')).toBe(10);
      expect((await values(db, 'SELECT count(floor) FROM elevator'))[0]![1]).toBe(30);
      expect(await values(db, "SELECT pressure FROM boiler WHERE device != 'OLD1'")).toEqual([]);

      const letters = await waitFor(() => listDeadLetters(servers.redis, keys), (l) => l.length === 10, 10_000);
      const stream = await readUplinkMessages(servers.redis, keys.uplink);
      const boilers = stream.filter((s) => s.topic.includes('/boiler/'));
      expect(letters.map((l) => [l.streamId, l.index, l.deviceId, l.topic, l.payload]).sort()).toEqual(boilers.map((b) => [b.id, b.index, b.clientId, b.topic, b.payload]).sort());
      for (const l of letters) {
        expect(l.reason).toBe('influx_refused');
        expect(l.message).toMatch(/^field type conflict: input field "\w+" on measurement "boiler" is type float, already exists as type integer$/);
      }
      expect((await invalidCounts(servers.redis, keys)).filter((c) => c.reason === 'influx_refused').map((c) => c.count)).toEqual([5, 5]);
      await waitFor(async () => ((await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number])[0], (n) => n === 0, 10_000);
    } finally {
      await ingest.stop();
    }
  });
});
