import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sleep } from '@tianwang/core/testing';
import { CONSUMER_GROUPS, pipelineKeys, readUplinkMessages } from '@tianwang/core/pipeline';
import { storagePolicy } from '@tianwang/core/schemas';
import { createHistory, createIngest, createShadowReader, invalidCounts, listDeadLetters, type IngestService, type ShadowChange } from '../src/index.js';
import { append, boilerTelemetry, countPoints, devices, elevatorTelemetry, entry, eventTopic, freshPrefix, influxQuery, ingestConfig, lookupOf, statusTopic, telemetryTopic, waitFor, useServers } from './helpers.js';

const servers = useServers();



describe('ingest → InfluxDB 1.x (v1 write path through the transport)', () => {
  const prefix = freshPrefix();
  const keys = pipelineKeys(prefix);
  const list = [...devices(3), ...devices(2, 'boiler')];
  list[2]!.enabled = false;
  const config = ingestConfig('', prefix, { influxUrl: '' });
  let ingest: IngestService;
  const t0 = Date.now() - 60_000;
  const feed: ShadowChange[] = [];
  const feedWithValues: ShadowChange[] = [];
  let unsubscribe: () => Promise<void>;
  let unsubscribeValues: () => Promise<void>;
  let reader: ReturnType<typeof createShadowReader>;

  beforeAll(async () => {
    config.common.redisUrl = servers.redisServer.url;
    config.influx.influxUrl = servers.influx.url;
    ingest = createIngest(config, { registry: { devices: lookupOf(list) } });
    await ingest.start();
    reader = createShadowReader(servers.redisServer.url, keys);
    unsubscribe = await reader.subscribe((c) => feed.push(c));
    unsubscribeValues = await reader.subscribe((c) => feedWithValues.push(c), { telemetry: true });
  });
  afterAll(async () => {
    await unsubscribe?.();
    await unsubscribeValues?.();
    await reader?.close();
    await ingest?.stop();
  });

  // what the first three tests read (50 elevator and boiler readings, an event, two status messages), appended by
  // whichever of them runs first and stored before it goes on; a failed attempt leaves it to the next to append again
  let sampled: Promise<void> | undefined;
  const sample = () =>
    (sampled ??= (async () => {
      const entries = [];
      for (let i = 0; i < 50; i++) {
        entries.push(entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(t0 + i * 1000, i), t0 + i * 1000 + 30));
        // the last boiler reading carries a field no schema knows: stored nowhere
        entries.push(entry(telemetryTopic('boiler', 'B00001'), { ...boilerTelemetry(t0 + i * 1000, i), ...(i === 49 ? { vendorX: 7 } : {}) }, t0 + i * 1000 + 30));
      }
      entries.push(entry(eventTopic('elevator', 'E00001'), { ts: t0 + 5000, code: '11', state: 'raised', detail: { floor: 3, note: '困人 · trapped' } }));
      entries.push(entry(statusTopic('elevator', 'E00001'), { state: 'online', firmware: '1.2.3', interval: 10 }));
      entries.push(entry(statusTopic('elevator', 'E00000'), 'lwt', Date.now(), 'x'));
      await append(servers.redis, prefix, entries);
      const db = config.influx.influxDatabase;
      // E00000's own: the trimming test below writes for E00001
      await waitFor(() => countPoints(servers.influx.url, db, 'elevator', 'floor', 'E00000'), (n) => n === 50, 15_000);
      await waitFor(() => countPoints(servers.influx.url, db, 'boiler', 'pressure'), (n) => n === 50, 15_000);
    })().catch((err: unknown) => {
      sampled = undefined;
      throw err;
    }));

  it('writes valid telemetry, events and status with the right tags and device times', async () => {
    await sample();
    const db = config.influx.influxDatabase;
    const r = await influxQuery(servers.influx.url, db, `SELECT * FROM elevator WHERE device = 'E00000' ORDER BY time ASC LIMIT 2`);
    const s = r.results[0]!.series![0]!;
    const row = Object.fromEntries(s.columns.map((c, i) => [c, s.values[0]![i]]));
    expect(row).toMatchObject({ time: t0, device: 'E00000', unit: 'unit-0', district: 'district 0', kind: 'elevator', floor: 0, direction: 'up', doorZone: 1, speed: 1.5 });
    const ev = await influxQuery(servers.influx.url, db, `SELECT * FROM elevator_event`);
    expect(ev.results[0]!.series![0]!.values[0]).toContain('11');
    const st = await waitFor(() => countPoints(servers.influx.url, db, 'elevator_status', 'online'), (n) => n === 2, 10_000);
    expect(st).toBe(2);
  });

  it('answers history queries: downsampled series, latest values, events', async () => {
    await sample();
    const history = createHistory(config.influx);
    const series = await history.series({ deviceId: 'E00000', kind: 'elevator', from: t0, to: t0 + 50_000, points: 10 });
    expect(series.intervalMs).toBe(5000);
    expect(series.points).toHaveLength(10);
    expect(series.points[0]!.time).toBe(t0);
    expect(series.points.every((p) => p.values.speed === 1.5)).toBe(true);
    // 50 s of readings, then nothing: read over 100 s in 5-s buckets
    const silent = { deviceId: 'E00000', kind: 'elevator' as const, from: t0, to: t0 + 100_000, points: 20 };
    // every message stored: an empty bucket after the last reading is a silence, a gap (left out: all fields null)
    const all = await createHistory(config.influx, { policy: storagePolicy({ mode: 'all' }) }).series(silent);
    expect(all.points.map((p) => p.time)).toEqual(Array.from({ length: 10 }, (_, k) => t0 + k * 5000));
    // stored by exception: an unchanged value is not stored again, so the last one holds (for twice its heartbeat),
    // up to now: the range reaches 40 s into the future (t0 is a minute ago), where nothing is carried
    const exception = await createHistory(config.influx, { policy: storagePolicy({ mode: 'exception' }) }).series(silent);
    const now = Date.now();
    expect(exception.points.length).toBeGreaterThan(11);
    expect(exception.points.find((p) => p.time === t0 + 55_000)?.values.speed).toBe(1.5);
    expect(exception.points.every((p) => p.time <= now)).toBe(true);
    const latest = await history.latest('E00000', 'elevator');
    expect(latest.floor).toEqual({ value: 49 % 20, time: t0 + 49_000 });
    expect(latest.doorZone).toEqual({ value: true, time: t0 + 49_000 });
    const events = await history.events({ deviceId: 'E00001', kind: 'elevator', from: t0, to: Date.now() });
    expect(events).toEqual([{ time: t0 + 5000, code: '11', state: 'raised', detail: { floor: 3, note: '困人 · trapped' } }]);
  });

  it('keeps the shadow and publishes its changes', async () => {
    await sample();
    const s = await waitFor(() => reader.get('E00000'), (v) => v?.telemetryTs === t0 + 49_000 && v.online === false, 5000);
    expect(s).toMatchObject({ kind: 'elevator', unitId: 'unit-0', districtId: 'district 0', online: false, offlineReason: 'lwt', telemetry: { floor: 9, seq: 49 } });
    // the shadow keeps the validated reading: the device's own text when it held nothing else, else re-encoded
    expect(s?.telemetry).toEqual(elevatorTelemetry(t0 + 49_000, 49));
    expect((await reader.get('B00001'))?.telemetry).toEqual(boilerTelemetry(t0 + 49_000, 49));
    const e1 = await reader.get('E00001');
    expect(e1).toMatchObject({ online: true, firmware: '1.2.3', interval: 10, events: { '11': { state: 'raised', ts: t0 + 5000, detail: { floor: 3, note: '困人 · trapped' } } } });
    // non-ASCII text travels packed by its byte length (packStrings) and arrives whole in the change feed too
    expect(feed.some((c) => c.id === 'E00001' && JSON.stringify(c.changes).includes('困人 · trapped'))).toBe(true);
    const all = await reader.list(undefined, { kind: 'boiler' });
    expect(all.map((d) => d.id)).toEqual(['B00001']);
    // telemetry changes carry the telemetry by reference (its time); a reader asks for the values
    const last = feed.findLast((c) => c.id === 'E00000' && c.changes.telemetryTs !== undefined);
    expect(last?.changes).toEqual({ telemetryTs: t0 + 49_000, clockSkew: false });
    await waitFor(async () => feedWithValues.some((c) => c.id === 'E00000' && (c.changes.telemetry as { seq: number } | undefined)?.seq === 49), (ok) => ok, 5000);
    expect(feedWithValues.filter((c) => c.changes.telemetryTs !== undefined).every((c) => typeof c.changes.telemetry === 'object')).toBe(true);
    // the same changes in the same order, values or not
    expect(feedWithValues.map((c) => [c.id, c.ts])).toEqual(feed.slice(0, feedWithValues.length).map((c) => [c.id, c.ts]));
    expect(feed.some((c) => c.id === 'E00000' && c.changes.online === false)).toBe(true);
    const { changes } = await reader.changesSince();
    expect(changes.length).toBeGreaterThan(2);
    expect(changes.some((c) => c.changes.telemetry !== undefined)).toBe(false);
    const resolved = await reader.changesSince(undefined, undefined, { telemetry: true });
    expect(resolved.changes.find((c) => c.id === 'B00001' && c.changes.telemetryTs !== undefined)?.changes.telemetry).toMatchObject({ seq: 49 });
    // an older message delivered late does not roll the shadow back
    await append(servers.redis, prefix, [entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(t0 + 1000, 1))]);
    await waitFor(() => countPoints(servers.influx.url, config.influx.influxDatabase, 'elevator', 'floor', 'E00000'), (n) => n === 50, 5000);
    // acknowledged: processed whole (processor.ts updates the shadow before it queues the points)
    await waitFor(async () => ((await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number])[0], (n) => n === 0, 5000);
    expect((await reader.get('E00000'))?.telemetry?.seq).toBe(49);
  });

  it('parks invalid messages of every kind with their reason, counts them per device, and flags clock skew', async () => {
    const now = Date.now();
    await append(servers.redis, prefix, [
      entry(telemetryTopic('elevator', 'E00000'), '{not json'),
      entry(telemetryTopic('elevator', 'E00000'), { ...elevatorTelemetry(now), floor: 'x' }),
      entry(telemetryTopic('elevator', 'E00000'), { ...elevatorTelemetry(now), speed: 26 }),
      entry(telemetryTopic('elevator', 'E00000'), 'x'.repeat(5000)),
      entry(telemetryTopic('elevator', 'GHOST1'), elevatorTelemetry(now)),
      entry(telemetryTopic('boiler', 'E00001'), boilerTelemetry(now)),
      entry(telemetryTopic('elevator', 'E00002'), elevatorTelemetry(now)),
      entry('tw/v1/elevator/E00000/nonsense', '{}'),
      entry(telemetryTopic('elevator', 'E00001'), elevatorTelemetry(now + 7_200_000, 1), now),
    ]);
    await waitFor(() => servers.redis.xlen(keys.deadLetter), (n) => n === 8, 10_000);
    const letters = await listDeadLetters(servers.redis, keys);
    expect(letters.map((l) => l.reason).sort()).toEqual(['bad_json', 'bad_topic', 'disabled_device', 'kind_mismatch', 'oversized', 'schema', 'schema', 'unknown_device']);
    const oversized = letters.find((l) => l.reason === 'oversized')!;
    expect(oversized.payload.length).toBe(1024);
    expect(letters.find((l) => l.reason === 'unknown_device')).toMatchObject({ deviceId: 'GHOST1', topic: telemetryTopic('elevator', 'GHOST1') });
    expect(await listDeadLetters(servers.redis, keys, { deviceId: 'E00000', reason: 'schema' })).toHaveLength(2);
    const counts = await invalidCounts(servers.redis, keys);
    expect(counts[0]).toEqual({ deviceId: 'E00000', reason: 'schema', count: 2 });
    expect(counts).toContainEqual({ deviceId: 'GHOST1', reason: 'unknown_device', count: 1 });
    const metrics = await ingest.metrics.metrics();
    expect(metrics).toMatch(/ingest_invalid_messages_total\{reason="schema",service="ingest"\} 2/);
    expect(metrics).toMatch(/ingest_clock_skew_total\{service="ingest"\} 1/);
    const skew = await waitFor(
      () => influxQuery(servers.influx.url, config.influx.influxDatabase, `SELECT clock_skew, seq FROM elevator WHERE device = 'E00001' ORDER BY time DESC LIMIT 1`),
      (r) => Boolean(r.results[0]?.series),
      5000,
    );
    expect(skew.results[0]!.series![0]!.values[0]![1]).toBe(1);
    // the time is the message's place in the uplink stream: its entry id's millisecond (server-time.ts)
    const t = Number(skew.results[0]!.series![0]!.values[0]![0]);
    const sent = (await readUplinkMessages(servers.redis, keys.uplink)).find((m) => m.payload.includes(String(now + 7_200_000)))!;
    expect(t).toBe(Number(sent.id.split('-')[0]));
    expect(t - now).toBeGreaterThanOrEqual(0);
  });

  it('acknowledges everything and trims the stream below what every group finished', async () => {
    // trimming is approximate (whole stream nodes of 100 entries): send enough to see it
    const base = Date.now() - 30_000;
    await append(servers.redis, prefix, Array.from({ length: 600 }, (_, i) => entry(telemetryTopic('elevator', 'E00001'), elevatorTelemetry(base + i, i))));
    await servers.redis.xgroup('CREATE', keys.uplink, CONSUMER_GROUPS.alerts, '$');
    await waitFor(async () => ((await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number])[0], (n) => n === 0, 10_000);
    const len = await waitFor(() => servers.redis.xlen(keys.uplink), (n) => n < 150, 10_000);
    expect(len).toBeLessThan(150);
    // alerts now holds the stream back: what it has not read stays
    await append(servers.redis, prefix, [entry(telemetryTopic('elevator', 'E00000'), elevatorTelemetry(Date.now(), 100))]);
    await sleep(1500); // three trim passes, in which the entry alerts has not read may not be trimmed
    expect(await servers.redis.xlen(keys.uplink)).toBeGreaterThanOrEqual(1);
    const m = await ingest.metrics.metrics();
    expect(m).toMatch(/ingest_points_written_total\{service="ingest"\} \d+/);
    expect(m).toMatch(/ingest_batch_write_seconds_count/);
    expect(m).toMatch(/ingest_backlog_messages/);
  });
});
