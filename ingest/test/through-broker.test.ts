import { randomUUID } from 'node:crypto';
import mqtt from 'mqtt';
import { describe, expect, it } from 'vitest';
import { createBroker, memoryDeviceSource } from '@tianwang/broker';
import { loadConfig } from '@tianwang/core/config';
import { hashSecret } from '@tianwang/core/crypto';
import { pipelineKeys } from '@tianwang/core/pipeline';
import { freePort } from '@tianwang/core/testing';
import { createIngest, createShadowReader } from '../src/index.js';
import { countPoints, devices, elevatorTelemetry, freshPrefix, ingestConfig, influxQuery, lookupOf, waitFor, useServers } from './helpers.js';

const servers = useServers();



describe('devices → broker → uplink stream → ingest → InfluxDB and shadow', () => {
  it('stores what devices publish at QoS 1 through the real broker, with presence in the shadow', async () => {
    const prefix = freshPrefix();
    const secret = 'device-secret-0123456789';
    const list = devices(3).map((d) => ({ ...d, credentialHash: hashSecret(secret) }));
    const port = await freePort();
    const brokerConfig = loadConfig({
      NODE_ENV: 'test', TW_REDIS_URL: servers.redisServer.url, TW_KEY_PREFIX: prefix, TW_MQTT_HOST: '127.0.0.1', TW_MQTT_PORT: String(port),
      TW_MQTT_SERVICE_PASSWORD: `svc-${randomUUID()}`,
    });
    const broker = createBroker(brokerConfig, { devices: memoryDeviceSource(list), log: (await import('@tianwang/core/log')).silentLogger() });
    const config = ingestConfig(servers.redisServer.url, prefix, { influxUrl: servers.influx.url });
    const ingest = createIngest(config, { registry: { devices: lookupOf(list) } });
    await broker.start();
    await ingest.start();
    const reader = createShadowReader(servers.redisServer.url, pipelineKeys(prefix));
    try {
      const id = list[1]!.id;
      const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, { clientId: id, username: id, password: secret, reconnectPeriod: 0 });
      const t0 = Date.now() - 10_000;
      for (let i = 0; i < 100; i++) await client.publishAsync(`tw/v1/elevator/${id}/telemetry`, JSON.stringify(elevatorTelemetry(t0 + i * 10, i)), { qos: 1 });
      await client.publishAsync(`tw/v1/elevator/${id}/telemetry`, '{broken', { qos: 1 });
      const db = config.influx.influxDatabase;
      await waitFor(() => countPoints(servers.influx.url, db, 'elevator', 'floor'), (n) => n === 100, 15_000);
      const r = await influxQuery(servers.influx.url, db, `SELECT first(seq) FROM elevator WHERE device = '${id}'`);
      expect(r.results[0]!.series![0]!.values[0]![0]).toBe(t0);
      const online = await waitFor(() => reader.get(id), (s) => s?.online === true && s.telemetry?.seq === 99, 5000);
      expect(online).toMatchObject({ kind: 'elevator', unitId: 'unit-1' });
      await waitFor(() => reader.get(id), (s) => s !== undefined, 1000);
      await client.endAsync();
      const offline = await waitFor(() => reader.get(id), (s) => s?.online === false, 5000);
      expect(offline?.offlineReason).toBe('disconnect');
      const statuses = await waitFor(() => countPoints(servers.influx.url, db, 'elevator_status', 'online'), (n) => n === 2, 5000);
      expect(statuses).toBe(2);
      expect(await ingest.metrics.metrics()).toMatch(/ingest_invalid_messages_total\{reason="bad_json",service="ingest"\} 1/);
    } finally {
      await reader.close();
      await ingest.stop();
      await broker.stop();
    }
  });
});
