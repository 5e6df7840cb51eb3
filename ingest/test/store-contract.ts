import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { InfluxConfig } from '@tianwang/core/config';
import { createIngest } from '../src/index.js';
import { append, boilerTelemetry, devices, elevatorTelemetry, entry, eventTopic, freshPrefix, ingestConfig, lookupOf, telemetryTopic, waitFor } from './helpers.js';

/** One series as the store under test holds it: its tags (labels) and its points in time order. */
export interface StoredSeries {
  tags: Record<string, string>;
  times: number[];
  values: number[];
}

/** A telemetry store ingest writes to, and how to read back what it holds. */
export interface StoreUnderTest {
  redisUrl: string;
  redis: Redis;
  /** the influx section for this store (URL, API version, database/org, token) */
  influx: Partial<InfluxConfig> & { influxUrl: string };
  /** the series of one field of a measurement (`elevator`, `elevator_event`) for one device, or undefined */
  series(measurement: string, field: string, device: string): Promise<StoredSeries | undefined>;
}

/**
 * What every telemetry store ingest writes to must hold after the same messages: InfluxDB 1.x (/write, v1) and the
 * 2.x/3.x API (/api/v2/write, served here by VictoriaMetrics). One suite, run against each store (as aedes runs one
 * persistence suite against every backend).
 */
export function telemetryStoreContract(name: string, store: () => StoreUnderTest): void {
  describe(`${name}: telemetry store contract`, () => {
    it('holds telemetry and events with the device, unit, district and kind tags at the device times (ms)', async () => {
      const s = store();
      const prefix = freshPrefix();
      const config = ingestConfig(s.redisUrl, prefix, s.influx);
      const ingest = createIngest(config, { registry: { devices: lookupOf([...devices(2), ...devices(1, 'boiler')]) } });
      await ingest.start();
      try {
        const t0 = Date.now() - 120_000;
        const entries = [];
        for (let i = 0; i < 20; i++) {
          entries.push(entry(telemetryTopic('elevator', 'E00001'), elevatorTelemetry(t0 + i * 1000, i)));
          entries.push(entry(telemetryTopic('boiler', 'B00000'), boilerTelemetry(t0 + i * 1000, i)));
        }
        entries.push(entry(eventTopic('elevator', 'E00001'), { ts: t0 + 1500, code: '05', state: 'raised' }));
        await append(s.redis, prefix, entries);

        const full = (x: StoredSeries | undefined, n: number) => x?.values.length === n;
        const floors = (await waitFor(() => s.series('elevator', 'floor', 'E00001'), (x) => full(x, 20), 20_000, 500))!;
        expect(floors.tags).toMatchObject({ device: 'E00001', unit: 'unit-1', district: 'district 1', kind: 'elevator' });
        expect(floors.times[0]).toBe(t0);
        expect(floors.times[19]).toBe(t0 + 19_000);
        expect(floors.values.slice(0, 3)).toEqual([0, 1, 2]);
        const pressure = (await waitFor(() => s.series('boiler', 'pressure', 'B00000'), (x) => full(x, 20), 10_000, 500))!;
        expect(pressure.tags).toMatchObject({ device: 'B00000', kind: 'boiler' });
        expect(pressure.values[0]).toBe(0.8);
        const raised = (await waitFor(() => s.series('elevator_event', 'raised', 'E00001'), (x) => full(x, 1), 10_000, 500))!;
        expect(raised.tags).toMatchObject({ code: '05', device: 'E00001' });
        expect(raised.times).toEqual([t0 + 1500]);
      } finally {
        await ingest.stop();
      }
    });
  });
}
