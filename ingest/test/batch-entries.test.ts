import { describe, expect, it } from 'vitest';
import { CONSUMER_GROUPS, pipelineKeys } from '@tianwang/core/pipeline';
import { listDeadLetters } from '../src/dead-letter.js';
import { createIngest } from '../src/index.js';
import { append, countPoints, devices, elevatorTelemetry, entry, freshPrefix, ingestConfig, lookupOf, telemetryTopic, waitFor, useServers, metricValue } from './helpers.js';

const servers = useServers();



describe('batch entries (several messages per stream entry)', () => {
  it('acknowledges an entry only once all its points are in InfluxDB; dead letters name entry and index; old entries still read', async () => {
    const prefix = freshPrefix();
    const keys = pipelineKeys(prefix);
    const list = devices(10);
    // 16-point InfluxDB batches, one at a time: each 64-message entry is written in four separate requests
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, { ingestBatchSize: 16, ingestWriteConcurrency: 1, ingestFlushMs: 20 });
    const ingest = createIngest(config, { registry: { devices: lookupOf(list) } });
    const db = config.influx.influxDatabase;
    const t0 = Date.now() - 600_000;
    const msgs = Array.from({ length: 192 }, (_, i) => entry(telemetryTopic('elevator', list[i % 10]!.id), elevatorTelemetry(t0 + i * 1000, i)));
    msgs[70] = entry(telemetryTopic('elevator', list[0]!.id), '{"not json'); // second entry, index 6
    const old = Array.from({ length: 5 }, (_, i) => entry(telemetryTopic('elevator', list[i]!.id), elevatorTelemetry(t0 + 500_000 + i, i)));
    const allBad = Array.from({ length: 3 }, () => entry(telemetryTopic('elevator', 'UNKNOWN-1'), elevatorTelemetry(t0, 1)));
    await ingest.start();
    try {
      await servers.influx.pause();
      await append(servers.redis, prefix, msgs); // three entries of 64
      await append(servers.redis, prefix, old, 0); // five format-1 entries
      await append(servers.redis, prefix, allBad); // one entry, nothing valid: acknowledged once parked
      expect(await servers.redis.xlen(keys.uplink)).toBe(9);
      const pending = async () => ((await servers.redis.xpending(keys.uplink, CONSUMER_GROUPS.ingest)) as [number])[0];
      await waitFor(async () => metricValue(await ingest.metrics.metrics(), 'ingest_backlog_messages'), (n) => n === 191 + 5, 10_000);
      expect(await pending()).toBe(8);
      const letters = await listDeadLetters(servers.redis, keys);
      const ids = (await servers.redis.xrange(keys.uplink, '-', '+')).map(([id]) => id);
      const bad = letters.find((l) => l.reason !== 'unknown_device');
      expect(bad).toMatchObject({ streamId: ids[1], index: 6 });
      expect(letters.filter((l) => l.reason === 'unknown_device').map((l) => [l.streamId, l.index])).toEqual([2, 1, 0].map((i) => [ids[8], i]));

      await servers.influx.resume();
      const total = 191 + 5;
      // whenever the entries are acknowledged, every one of their points must already be readable
      for (let done = false; !done; ) {
        const p = await pending();
        const n = await countPoints(servers.influx.url, db, 'elevator', 'floor');
        if (p === 0) {
          expect(n).toBe(total);
          done = true;
        } else {
          expect(n).toBeLessThanOrEqual(total);
          await new Promise((r) => setTimeout(r, 20));
        }
      }
      expect(metricValue(await ingest.metrics.metrics(), 'ingest_points_written_total')).toBe(total);
    } finally {
      await servers.influx.resume().catch(() => {});
      await ingest.stop();
    }
  }, 60_000);
});
