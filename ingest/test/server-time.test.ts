import { describe, expect, it, onTestFinished } from 'vitest';
import { CONSUMER_GROUPS, pipelineKeys, readUplinkMessages } from '@tianwang/core/pipeline';
import { createIngest } from '../src/index.js';
import { append, devices, elevatorTelemetry, entry, freshPrefix, influxQuery, ingestConfig, lookupOf, metricValue, statusTopic, telemetryTopic, useServers, waitFor } from './helpers.js';

const servers = useServers();

/** Every point of a device in a measurement, oldest first, with exact (ns) times as strings. */
async function pointsOf(db: string, measurement: string, device: string, fields: string): Promise<{ time: string; row: unknown[] }[]> {
  // epoch=ns: the times are too large for a JS number; read them as text from the JSON
  const res = await fetch(`${servers.influx.url}/query`, {
    method: 'POST',
    body: new URLSearchParams({ q: `SELECT ${fields} FROM "${measurement}" WHERE device = '${device}' ORDER BY time ASC`, db, epoch: 'ns' }),
  });
  const text = await res.text();
  const times = [...text.matchAll(/\[(\d{19}),/g)].map((m) => m[1]!);
  const json = JSON.parse(text) as { results: { series?: { values: unknown[][] }[] }[] };
  const rows = json.results[0]?.series?.[0]?.values ?? [];
  return rows.map((row, i) => ({ time: times[i]!, row: row.slice(1) }));
}

describe('points whose time the server assigns (clock skew, no device time, presence)', () => {
  const list = devices(2);

  /** An ingest worker of the test's own: a fresh prefix (its uplink stream, consumer group, InfluxDB database), stopped after the test. */
  async function startWorker() {
    const prefix = freshPrefix();
    // no trimming while a test replays the stream
    const config = ingestConfig('', prefix, { influxUrl: '' }, { ingestTrimIntervalMs: 600_000 });
    config.common.redisUrl = servers.redisServer.url;
    config.influx.influxUrl = servers.influx.url;
    const ingest = createIngest(config, { registry: { devices: lookupOf(list) } });
    await ingest.start();
    onTestFinished(() => ingest.stop());
    return { prefix, keys: pipelineKeys(prefix), config, ingest, db: () => config.influx.influxDatabase };
  }
  type Worker = Awaited<ReturnType<typeof startWorker>>;

  /** a terminal with a wrong clock flushing its offline buffer: 20 readings 30 days in the past, one broker millisecond */
  async function flushOldReadings(w: Worker) {
    const receivedAt = Date.now();
    const past = receivedAt - 30 * 86_400_000;
    await append(servers.redis, w.prefix, Array.from({ length: 20 }, (_, i) => entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(past + i * 1000, i), receivedAt)));
    return past;
  }
  /** a status message without a time between two presence changes, all three in one millisecond */
  async function statusesInOneMs(w: Worker) {
    const receivedAt = Date.now();
    await append(servers.redis, w.prefix, [
      entry(statusTopic('elevator', 'E00001'), '', receivedAt, 'o'),
      entry(statusTopic('elevator', 'E00001'), { state: 'online', firmware: '2.0.1' }, receivedAt),
      entry(statusTopic('elevator', 'E00001'), 'lwt', receivedAt, 'x'),
    ]);
  }

  it('stores every one of 20 readings 30 days in the past received in one millisecond, in order, and counts the substitutions', async () => {
    const w = await startWorker();
    const { ingest, keys, db } = w;
    const past = await flushOldReadings(w);
    // the counter moves once InfluxDB answered 204: the points are readable by then
    const m = await waitFor(() => ingest.metrics.metrics(), (text) => metricValue(text, 'ingest_points_written_total') >= 20, 15_000);
    expect(metricValue(m, 'ingest_points_written_total')).toBe(20);
    expect(metricValue(m, 'ingest_clock_skew_total')).toBe(20);
    expect(metricValue(m, 'ingest_points_rejected_total')).toBe(0);
    const points = await pointsOf(db(), 'elevator', 'E00000', 'seq, clock_skew, device_ts');
    expect(points).toHaveLength(20);
    // in stream order, each reading its own point, flagged, with the device's own time kept as a field
    expect(points.map((p) => p.row)).toEqual(Array.from({ length: 20 }, (_, i) => [i, 1, past + i * 1000]));
    const times = points.map((p) => BigInt(p.time));
    for (let i = 1; i < times.length; i++) expect(times[i]! > times[i - 1]!).toBe(true);
    // the time is the entry's place in the uplink stream: its id's millisecond, the message's rank in nanoseconds
    const [first] = await readUplinkMessages(servers.redis, keys.uplink);
    expect(times[0]! / 1_000_000n).toBe(BigInt(first!.id.split('-')[0]!));
  });

  it('keeps status messages without a time and presence changes of one millisecond apart', async () => {
    const w = await startWorker();
    const { db } = w;
    await statusesInOneMs(w);
    const points = await waitFor(() => pointsOf(db(), 'elevator_status', 'E00001', 'online, source, firmware, reason'), (p) => p.length >= 3, 15_000);
    expect(points.map((p) => p.row)).toEqual([
      [1, 'presence', null, null],
      [1, 'status', '2.0.1', null],
      [0, 'presence', null, 'lwt'],
    ]);
  });

  it('gives a replayed or reclaimed message the same time: delivered again, by another worker, nothing is duplicated', async () => {
    // the readings and statuses of the two tests above, in a stream of its own, stored
    const w = await startWorker();
    const { ingest, keys, config, db } = w;
    await flushOldReadings(w);
    await statusesInOneMs(w);
    await waitFor(() => ingest.metrics.metrics(), (text) => metricValue(text, 'ingest_points_written_total') >= 23, 15_000);
    const before = await pointsOf(db(), 'elevator', 'E00000', 'seq');
    expect(before).toHaveLength(20);
    await waitFor(async () => ((await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number])[0], (n) => n === 0, 10_000);
    await ingest.stop();
    // another worker takes the whole stream again from the start, as after a crash before the acknowledgement
    await servers.redis.xgroup('SETID', keys.uplink, CONSUMER_GROUPS.ingest, '0');
    const other = createIngest(config, { registry: { devices: lookupOf(list) }, consumerName: 'other-worker' });
    await other.start();
    try {
      await waitFor(async () => metricValue(await other.metrics.metrics(), 'ingest_points_written_total'), (n) => n === 23, 15_000);
      expect(await pointsOf(db(), 'elevator', 'E00000', 'seq')).toEqual(before);
      expect(await pointsOf(db(), 'elevator_status', 'E00001', 'online')).toHaveLength(3);
      expect(metricValue(await other.metrics.metrics(), 'ingest_clock_skew_total')).toBe(20);
    } finally {
      await other.stop();
    }
    const r = await influxQuery(servers.influx.url, db(), 'SELECT count(seq) FROM elevator');
    expect(r.results[0]!.series![0]!.values[0]![1]).toBe(20);
  });
});
