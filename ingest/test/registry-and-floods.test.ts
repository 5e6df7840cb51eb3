import { describe, expect, it } from 'vitest';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { createIngest, createShadowReader, invalidCounts } from '../src/index.js';
import { append, countPoints, devices, elevatorTelemetry, entry, freshPrefix, ingestConfig, lookupOf, telemetryTopic, waitFor, useServers } from './helpers.js';

const servers = useServers();



describe('registry and misbehaving devices', () => {
  it('tags points from the real registry (PGlite), and finds a device registered after start', async () => {
    const registry: Registry = await openRegistry();
    try {
      await registry.districts.upsert({ id: 'xh', name: '徐汇区', kind: 'district', parentId: null });
      const unit = { creditCode: '91310000000000000X', address: 'x', districtId: 'xh', safetyOfficerName: 'a', safetyOfficerPhone: '13800000000', principalName: 'b', principalPhone: '13900000000' };
      await registry.units.upsert({ id: 'u-mall', name: 'Mall', ...unit });
      const device = (id: string) => ({
        id, kind: 'elevator' as const, registrationCode: `3101000000000000000${id.slice(-1)}`, name: id, location: 'A', unitId: 'u-mall', maintenanceCompanyId: null,
        model: 'm', rated: {}, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null,
      });
      await registry.devices.upsert(device('REG001'));
      const prefix = freshPrefix();
      const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url });
      const ingest = createIngest(config, { registry });
      await ingest.start();
      try {
        await registry.devices.upsert(device('REG002'));
        const now = Date.now();
        await append(servers.redis, prefix, [entry(telemetryTopic('elevator', 'REG001'), elevatorTelemetry(now)), entry(telemetryTopic('elevator', 'REG002'), elevatorTelemetry(now))]);
        await waitFor(() => countPoints(servers.influx.url, config.influx.influxDatabase, 'elevator', 'floor'), (n) => n === 2, 10_000);
        const reader = createShadowReader(servers.redisServer.url, pipelineKeys(prefix));
        expect(await reader.get('REG002')).toMatchObject({ kind: 'elevator', unitId: 'u-mall', districtId: 'xh' });
        await reader.close();
      } finally {
        await ingest.stop();
      }
    } finally {
      await registry.close();
    }
  });

  it('a flooding unknown device costs one registry lookup and a few dead letters, and does not hold the others back', async () => {
    const prefix = freshPrefix();
    const keys = pipelineKeys(prefix);
    const lookup = lookupOf(devices(5));
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, { ingestDeadLetterPerMin: 10, ingestRegistryTtlMs: 60_000 });
    const ingest = createIngest(config, { registry: { devices: lookup } });
    await ingest.start();
    try {
      const now = Date.now();
      const flood = Array.from({ length: 5000 }, (_, i) => entry(telemetryTopic('elevator', 'FLOOD1'), elevatorTelemetry(now + i)));
      const good = Array.from({ length: 500 }, (_, i) => entry(telemetryTopic('elevator', `E0000${i % 5}`), elevatorTelemetry(now - 10_000 + i, i)));
      await append(servers.redis, prefix, [...flood.slice(0, 2500), ...good, ...flood.slice(2500)]);
      await waitFor(() => countPoints(servers.influx.url, config.influx.influxDatabase, 'elevator', 'floor'), (n) => n === 500, 15_000);
      await waitFor(() => invalidCounts(servers.redis, keys), (c) => c[0]?.count === 5000, 10_000);
      expect(await servers.redis.xlen(keys.deadLetter)).toBe(10);
      expect(lookup.calls).toBe(1);
      expect(await ingest.metrics.metrics()).toMatch(/ingest_dead_letters_suppressed_total\{service="ingest"\} 4990/);
    } finally {
      await ingest.stop();
    }
  });

  it('updates the shadows of a batch with more devices than one script call takes', async () => {
    const prefix = freshPrefix();
    const list = devices(1200);
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url }, { ingestReadCount: 5000 });
    const ingest = createIngest(config, { registry: { devices: lookupOf(list) } });
    const now = Date.now();
    // the feed on the wire: one PUBLISH per script call (≤ 500 updates), a JSON array of {id, ts, changes}
    const sub = servers.redis.duplicate();
    const published: unknown[] = [];
    sub.on('message', (_ch: string, m: string) => published.push(JSON.parse(m)));
    await sub.subscribe(pipelineKeys(prefix).shadowFeed);
    await append(servers.redis, prefix, list.map((d, i) => entry(telemetryTopic('elevator', d.id), elevatorTelemetry(now - 1000, i))));
    await ingest.start();
    try {
      await waitFor(() => servers.redis.scard(pipelineKeys(prefix).shadowIndex), (n) => n === 1200, 10_000);
      const reader = createShadowReader(servers.redisServer.url, pipelineKeys(prefix));
      const all = await reader.list();
      expect(all.filter((s) => s.telemetryTs === now - 1000)).toHaveLength(1200);
      await reader.close();
      await waitFor(async () => published.flat().length, (n) => n === 1200, 5000);
      expect(published.every((m) => Array.isArray(m) && m.length <= 500)).toBe(true);
      expect(published.length).toBeGreaterThanOrEqual(3);
      expect(published.flat()[0]).toMatchObject({ ts: now - 1000, changes: { telemetryTs: now - 1000, clockSkew: false } });
      // telemetry by reference: a change is about 100 bytes however large the payload
      expect(Math.max(...published.flat().map((c) => JSON.stringify(c).length))).toBeLessThan(120);
    } finally {
      await sub.quit();
      await ingest.stop();
    }
  });
});
