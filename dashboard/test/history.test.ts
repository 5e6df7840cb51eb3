import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInflux, type InfluxServer } from '@tianwang/core/testing';
import { login, startWorld, type Login, type World } from './helpers/world.js';

let influx: InfluxServer;
let w: World;
let s: Login;
const DB = 'history_test';
const MIN = 60_000;
const t0 = Math.floor(Date.now() / MIN) * MIN - 120 * MIN;

async function write(lines: string[]): Promise<void> {
  const res = await fetch(`${influx.url}/write?db=${DB}&precision=ms`, { method: 'POST', body: lines.join('\n') });
  if (!res.ok) throw new Error(`write: ${res.status} ${await res.text()}`);
}

beforeAll(async () => {
  influx = await startInflux();
  await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${DB}` }) });
  // EL-1 reports every 10 s for 10 minutes, is silent for 20, then reports for 10 more (as ingest writes it: measurement per kind, device tag)
  const lines: string[] = [];
  for (let t = t0; t < t0 + 40 * MIN; t += 10_000) {
    if (t >= t0 + 10 * MIN && t < t0 + 30 * MIN) continue;
    const floor = Math.floor((t - t0) / MIN);
    lines.push(`elevator,device=EL-1,district=G1,kind=elevator,unit=U1 floor=${floor}i,speed=1.5,direction="up",door="closed",doorZone=1i ${t}`);
  }
  lines.push(`elevator_event,device=EL-1,district=G1,kind=elevator,unit=U1,code=11 state="raised",raised=1i,detail="{\\"floor\\":3}" ${t0 + 5 * MIN}`);
  lines.push(`elevator_event,device=EL-1,district=G1,kind=elevator,unit=U1,code=11 state="cleared",raised=0i ${t0 + 6 * MIN}`);
  await write(lines);
  // ingest's storage policy, which the history reads with: a 2-minute heartbeat holds a value for 4 minutes
  w = await startWorld({ env: { TW_INFLUX_URL: influx.url, TW_INFLUX_DATABASE: DB, TW_INGEST_STORE_HEARTBEAT_S: '120' } });
  s = await login(w.dashboard, 'unit1');
}, 120_000);
afterAll(async () => {
  await w?.close();
  await influx?.stop();
});

const get = (url: string) => w.dashboard.app.inject({ method: 'GET', url, headers: s.headers() });

describe('device history', () => {
  it('downsamples with GROUP BY time into one point per bucket over the whole range; a value holds for twice the heartbeat, then gaps (null)', async () => {
    const res = await get(`/api/v1/devices/EL-1/history?from=${t0}&to=${t0 + 40 * MIN}&points=40&fields=floor,speed,direction`);
    expect(res.statusCode).toBe(200);
    const h = res.json();
    expect(h).toMatchObject({ from: t0, to: t0 + 40 * MIN, intervalMs: MIN, fields: ['floor', 'speed', 'direction'] });
    expect(h.points).toHaveLength(40);
    expect(h.points[0]).toEqual({ time: t0, values: { floor: 0, speed: 1.5, direction: 'up' } });
    expect(h.points[9].values.floor).toBe(9);
    // stored by exception, an unchanged value is not stored again: the last one holds for 2 × 120 s after its bucket
    for (let i = 10; i < 15; i++) expect(h.points[i], `bucket ${i}`).toEqual({ time: t0 + i * MIN, values: { floor: 9, speed: 1.5, direction: 'up' } });
    // longer than that, the device was silent: gaps, not a straight line
    for (let i = 15; i < 30; i++) expect(h.points[i], `bucket ${i}`).toEqual({ time: t0 + i * MIN, values: { floor: null, speed: null, direction: null } });
    expect(h.points[30].values).toEqual({ floor: 30, speed: 1.5, direction: 'up' });
  });

  it('never answers more than 2,000 points, and refuses a bad range or field', async () => {
    const wide = (await get(`/api/v1/devices/EL-1/history?from=${t0 - 7 * 24 * 60 * MIN}&to=${t0 + 40 * MIN}&points=2000`)).json();
    expect(wide.points.length).toBeLessThanOrEqual(2000);
    expect(wide.points.length).toBeGreaterThan(1990);
    expect((await get(`/api/v1/devices/EL-1/history?points=2001`)).statusCode).toBe(400);
    expect((await get(`/api/v1/devices/EL-1/history?from=${t0}&to=${t0 - 1}`)).json().code).toBe('TW_PAYLOAD_INVALID');
    expect((await get(`/api/v1/devices/EL-1/history?fields=pressure`)).json()).toEqual({ code: 'TW_PAYLOAD_INVALID', message: 'unknown elevator field "pressure"' });
    const iso = await get(`/api/v1/devices/EL-1/history?from=${new Date(t0).toISOString()}&to=${new Date(t0 + 10 * MIN).toISOString()}&points=10&fields=floor`);
    expect(iso.json().points.map((p: { values: { floor: number } }) => p.values.floor)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('lists faults and events newest first, and exports them', async () => {
    const ev = (await get(`/api/v1/devices/EL-1/events?from=${t0}&to=${t0 + 40 * MIN}`)).json();
    expect(ev.items).toEqual([
      { time: t0 + 6 * MIN, code: '11', state: 'cleared', detail: null },
      { time: t0 + 5 * MIN, code: '11', state: 'raised', detail: { floor: 3 } },
    ]);
    const x = await get(`/api/v1/devices/EL-1/events?from=${t0}&to=${t0 + 40 * MIN}&format=xlsx`);
    expect(x.headers['content-disposition']).toContain('events-EL-1');
  });
});
