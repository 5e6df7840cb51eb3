import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '@tianwang/core/config';
import { silentLogger } from '@tianwang/core/log';
import { createInfluxDatabase, freePort, startInflux, startRedis, tempDir, type InfluxServer, type RedisServer, waitFor } from '@tianwang/core/testing';
import { banner, createAllInOne, demoLogins, type AllInOne } from '@tianwang/platform';

/**
 * End to end, the way an operator runs the demo: every service in one process, the demo district loaded,
 * the simulator driving real MQTT terminals. A trapped passenger injected through the simulator must
 * reach the unit's safety officer as an SMS, with the alarm open in the registry and telemetry in InfluxDB.
 */
describe('all-in-one platform', () => {
  let redis: RedisServer;
  let influx: InfluxServer;
  let platform: AllInOne;
  let env: Record<string, string>;

  beforeAll(async () => {
    [redis, influx] = await Promise.all([startRedis(), startInflux()]);
    await createInfluxDatabase(influx.url, 'tianwang');
    const [mqtt, http, rtmp, streamsHttp, control] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
    env = {
      TW_DATA_DIR: await tempDir('platform'),
      TW_REDIS_URL: redis.url,
      TW_INFLUX_URL: influx.url,
      TW_MQTT_HOST: '127.0.0.1',
      TW_MQTT_PORT: String(mqtt),
      TW_HTTP_HOST: '127.0.0.1',
      TW_HTTP_PORT: String(http),
      TW_PUBLIC_URL: `http://127.0.0.1:${http}`,
      TW_STREAMS_HOST: '127.0.0.1',
      TW_RTMP_PORT: String(rtmp),
      TW_STREAMS_HTTP_PORT: String(streamsHttp),
      TW_SIM_CONTROL_PORT: String(control),
      TW_DEMO_DEVICES: '6',
      TW_DEMO_CAMERAS: '0',
      TW_INGEST_FLUSH_MS: '100',
    };
    platform = createAllInOne(loadConfig(env), silentLogger(), { quietSms: true });
    await platform.start();
  }, 120_000);

  afterAll(async () => {
    await platform?.stop();
    await Promise.all([redis?.stop(), influx?.stop()]);
  });

  it('loads the demo district and connects the simulated terminals', async () => {
    const info = platform.info!;
    expect(info.demo?.devices).toHaveLength(220);
    expect(info.simulatedDevices).toBe(6);
    await waitFor(() => platform.simulator!.devices().every((d) => d.connected), { timeoutMs: 20_000 });
    const res = await fetch(`${info.dashboardUrl}/healthz`);
    expect(res.status).toBe(200);
  });

  it('a trapped passenger becomes an alarm and an SMS to the safety officer, with an acknowledgement link', async () => {
    const info = platform.info!;
    const elevator = info.demo!.devices.find((d) => d.kind === 'elevator')!;
    const unit = info.demo!.units.find((u) => u.id === elevator.unitId)!;
    const res = await fetch(`${info.control!.url}/faults`, {
      method: 'POST',
      headers: { authorization: `Bearer ${info.control!.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ device: elevator.id, fault: 'trapped', seconds: 60 }),
    });
    expect(res.status).toBeLessThan(300);
    const sms = await waitFor(() => platform.sentSms.find((m) => m.to === unit.safetyOfficerPhone && m.text.includes('困人')), { timeoutMs: 30_000 });
    const link = /https?:\/\/\S+/.exec(sms.text)?.[0];
    expect(link).toBeDefined();
    const page = await fetch(link!);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(elevator.registrationCode);
    const alarms = await platform.registry!.db.query<{ type: string; status: string }>(
      `SELECT type, status FROM alarms WHERE subject_id = $1`,
      [elevator.id],
    );
    expect(alarms.some((a) => a.status === 'open')).toBe(true);
  });

  it('the printed logins sign in and land on a live board: every role sees its own simulated devices online', async () => {
    const info = platform.info!;
    const logins = demoLogins(info.demo!);
    expect(logins.map((u) => u.role)).toEqual(['admin', 'inspector', 'unit', 'maintenance']);
    const printed = banner(info);
    for (const u of logins) {
      expect(printed).toContain(`${u.username} / ${u.password}`);
      const res = await fetch(`${info.dashboardUrl}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: u.username, password: u.password }) });
      expect(res.status, u.username).toBe(200);
      const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
      // EL-00001 is simulated, belongs to unit1's unit and is maintained by maint1's company
      const row = await waitFor(async () => {
        const board = (await (await fetch(`${info.dashboardUrl}/api/v1/devices?q=EL-00001&kind=elevator`, { headers: { cookie } })).json()) as { items: { id: string; online: boolean | null; telemetry: unknown }[] };
        return board.items.find((d) => d.id === 'EL-00001' && d.online === true && d.telemetry);
      }, { timeoutMs: 30_000, intervalMs: 250 });
      expect(row.id).toBe('EL-00001');
    }
  });

  it('telemetry from the simulated devices is readable in InfluxDB', async () => {
    const count = await waitFor(async () => {
      const q = new URLSearchParams({ db: 'tianwang', q: 'SELECT count(speed) FROM elevator' });
      const body = (await (await fetch(`${influx.url}/query?${q}`)).json()) as { results: { series?: { values: [string, number][] }[] }[] };
      const n = body.results[0]?.series?.[0]?.values[0]?.[1] ?? 0;
      return n > 0 ? n : undefined;
    }, { timeoutMs: 30_000 });
    expect(count).toBeGreaterThan(0);
  });
});
