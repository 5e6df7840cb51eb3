import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InjectOptions } from 'fastify';
import { startInflux, startRedis, type InfluxServer, type RedisServer } from '@tianwang/core/testing';
import { login, startWorld, type Login, type World } from './helpers/world.js';

/**
 * The scope matrix (issue #15): every role × every route × an id in the caller's scope and one outside it.
 * In scope: 2xx; outside (or unknown): 404, never 403, so nothing tells an id exists; a role that may not use
 * the route at all: 403 TW_FORBIDDEN; no session: 401; a state-changing request without the CSRF header: 403.
 * On PGlite and on PostgreSQL.
 */
type Who = 'admin' | 'insp2' | 'unit1' | 'maint1';
type Kind = 'device' | 'unit' | 'company' | 'kitchen' | 'camera' | 'user';
const WHO: Who[] = ['admin', 'insp2', 'unit1', 'maint1'];
const ROLE: Record<Who, string> = { admin: 'admin', insp2: 'inspector', unit1: 'unit', maint1: 'maintenance' };

// insp2 supervises D2 (G3: U3, EL-3, K3, CAM-3; EL-3 is maintained by M1); unit1 is U1's; maint1 is M1's (EL-1 in U1, EL-3 in U3)
const IDS: Record<Who, Partial<Record<Kind, { in: string; out: string }>>> = {
  admin: { device: { in: 'EL-2', out: 'EL-404' }, unit: { in: 'U2', out: 'U404' }, company: { in: 'M2', out: 'M404' }, kitchen: { in: 'K3', out: 'K404' }, camera: { in: 'CAM-3', out: 'CAM-404' }, user: { in: 'insp1', out: 'nobody' } },
  insp2: { device: { in: 'EL-3', out: 'EL-1' }, unit: { in: 'U3', out: 'U1' }, company: { in: 'M1', out: 'M2' }, kitchen: { in: 'K3', out: 'K1' }, camera: { in: 'CAM-3', out: 'CAM-1' }, user: { in: 'insp2', out: 'insp1' } },
  unit1: { device: { in: 'BL-1', out: 'EL-3' }, unit: { in: 'U1', out: 'U3' }, company: { in: 'M1', out: 'M2' }, kitchen: { in: 'K1', out: 'K3' }, camera: { in: 'CAM-1', out: 'CAM-3' } },
  maint1: { device: { in: 'EL-3', out: 'EL-2' }, unit: { in: 'U3', out: 'U2' }, company: { in: 'M1', out: 'M2' } },
};

interface Route {
  method: InjectOptions['method'];
  path: string;
  kind: Kind;
  roles: Who[];
  body?: object;
  ok?: number;
}
const ALL = WHO;
const today = new Date().toISOString().slice(0, 10);
const ROUTES: Route[] = [
  { method: 'GET', path: '/devices/:id', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/history', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/events', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/alarms', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/notifications', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/maintenance', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/inspections', kind: 'device', roles: ALL },
  { method: 'GET', path: '/devices/:id/audit', kind: 'device', roles: ['admin', 'insp2'] },
  { method: 'POST', path: '/devices/:id/maintenance', kind: 'device', roles: ['admin', 'unit1', 'maint1'], body: { doneOn: today, technician: '赵师傅' }, ok: 201 },
  { method: 'POST', path: '/devices/:id/inspections', kind: 'device', roles: ['admin', 'insp2'], body: { inspectedOn: today, result: 'pass', nextDue: '2099-01-01' }, ok: 201 },
  { method: 'PATCH', path: '/devices/:id', kind: 'device', roles: ['admin'], body: { location: '东侧' } },
  { method: 'POST', path: '/devices/:id/credential', kind: 'device', roles: ['admin'] },
  { method: 'GET', path: '/units/:id', kind: 'unit', roles: ALL },
  { method: 'PATCH', path: '/units/:id', kind: 'unit', roles: ['admin'], body: { address: '新地址' } },
  { method: 'GET', path: '/maintenance-companies/:id', kind: 'company', roles: ALL },
  { method: 'PATCH', path: '/maintenance-companies/:id', kind: 'company', roles: ['admin'], body: { contactName: '新联系人' } },
  { method: 'GET', path: '/kitchens/:id', kind: 'kitchen', roles: ['admin', 'insp2', 'unit1'] },
  { method: 'PATCH', path: '/kitchens/:id', kind: 'kitchen', roles: ['admin'], body: { riskClass: 'C' } },
  { method: 'GET', path: '/cameras/:id', kind: 'camera', roles: ['admin', 'insp2', 'unit1'] },
  { method: 'PATCH', path: '/cameras/:id', kind: 'camera', roles: ['admin'], body: { name: '后厨' } },
  { method: 'GET', path: '/users/:id', kind: 'user', roles: ['admin', 'insp2'] },
  { method: 'PATCH', path: '/users/:id', kind: 'user', roles: ['admin'], body: { phone: '+8613700000000' } },
];
// lists: who may use them, and an id each role must never see in them
const LISTS: { path: string; roles: Who[]; kind?: Kind }[] = [
  { path: '/me', roles: ALL }, { path: '/districts', roles: ALL }, { path: '/board/summary', roles: ALL },
  { path: '/devices', roles: ALL, kind: 'device' }, { path: '/units', roles: ALL, kind: 'unit' }, { path: '/maintenance-companies', roles: ALL, kind: 'company' },
  { path: '/kitchens', roles: ['admin', 'insp2', 'unit1'], kind: 'kitchen' }, { path: '/cameras', roles: ['admin', 'insp2', 'unit1'], kind: 'camera' },
  { path: '/users', roles: ['admin', 'insp2'], kind: 'user' },
];

let redis: RedisServer;
let influx: InfluxServer;
beforeAll(async () => {
  [redis, influx] = await Promise.all([startRedis(), startInflux()]);
  await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: 'CREATE DATABASE scope_matrix' }) });
}, 120_000);
afterAll(async () => {
  await influx?.stop();
  await redis?.stop();
});

describe.each(['pglite', 'postgres'] as const)('scope matrix (%s)', (backend) => {
  let w: World;
  const s = {} as Record<Who, Login>;

  beforeAll(async () => {
    w = await startWorld({ backend, redis, env: { TW_INFLUX_URL: influx.url, TW_INFLUX_DATABASE: 'scope_matrix' } });
    for (const who of WHO) s[who] = await login(w.dashboard, who);
  }, 120_000);
  afterAll(async () => w?.close());

  const send = (who: Who | undefined, r: { method: InjectOptions['method']; url: string; body?: object | undefined }, csrf = true) =>
    w.dashboard.app.inject({ method: r.method, url: `/api/v1${r.url}`, headers: who ? s[who].headers(csrf && r.method !== 'GET') : {}, ...(r.body ? { payload: r.body } : {}) });

  it('every role × every route × in-scope and out-of-scope ids', async () => {
    const failures: string[] = [];
    for (const r of ROUTES) {
      for (const who of WHO) {
        const ids = IDS[who][r.kind] ?? { in: IDS.admin[r.kind]!.in, out: IDS.admin[r.kind]!.out };
        const allowed = r.roles.includes(who);
        for (const [where, id] of [['in', ids.in], ['out', ids.out]] as const) {
          const res = await send(who, { method: r.method, url: r.path.replace(':id', id), body: r.body });
          const want = !allowed ? 403 : where === 'in' ? (r.ok ?? 200) : 404;
          const code = res.statusCode >= 400 ? (res.json() as { code: string }).code : '';
          const wantCode = !allowed ? 'TW_FORBIDDEN' : where === 'out' ? 'TW_NOT_FOUND' : '';
          if (res.statusCode !== want || code !== wantCode) failures.push(`${ROLE[who]} ${r.method} ${r.path} ${where} ${id}: ${res.statusCode} ${code} (want ${want} ${wantCode}) ${res.body.slice(0, 120)}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });

  it('lists hold only what is in scope; roles without a list get 403', async () => {
    const failures: string[] = [];
    for (const l of LISTS) {
      for (const who of WHO) {
        const res = await send(who, { method: 'GET', url: l.path });
        const want = l.roles.includes(who) ? 200 : 403;
        if (res.statusCode !== want) failures.push(`${ROLE[who]} GET ${l.path}: ${res.statusCode} (want ${want})`);
        if (res.statusCode !== 200 || !l.kind) continue;
        const items = (res.json() as { items: { id: string }[] }).items.map((i) => i.id);
        const ids = IDS[who][l.kind];
        if (ids && who !== 'admin' && items.includes(ids.out)) failures.push(`${ROLE[who]} GET ${l.path} lists out-of-scope ${ids.out}`);
        if (ids && !items.includes(ids.in)) failures.push(`${ROLE[who]} GET ${l.path} misses in-scope ${ids.in}`);
      }
    }
    expect(failures).toEqual([]);
    expect((await send('insp2', { method: 'GET', url: '/districts' })).json().map((d: { id: string }) => d.id)).toEqual(['D2', 'G3']);
    expect((await send('unit1', { method: 'GET', url: '/districts' })).json().map((d: { id: string }) => d.id)).toEqual(['G1']);
  });

  it('no session: 401 on every route; a state-changing request without the CSRF header: 403', async () => {
    const failures: string[] = [];
    for (const r of [...ROUTES, ...LISTS.map((l) => ({ method: 'GET' as const, path: l.path, body: undefined }))]) {
      const url = r.path.replace(':id', 'EL-1');
      const anon = await send(undefined, { method: r.method, url, body: r.body });
      if (anon.statusCode !== 401 || anon.json().code !== 'TW_UNAUTHENTICATED') failures.push(`anonymous ${r.method} ${r.path}: ${anon.statusCode}`);
      if (r.method === 'GET') continue;
      const noCsrf = await send('admin', { method: r.method, url, body: r.body }, false);
      if (noCsrf.statusCode !== 403 || noCsrf.json().code !== 'TW_CSRF_INVALID') failures.push(`no CSRF ${r.method} ${r.path}: ${noCsrf.statusCode}`);
    }
    for (const path of ['/devices', '/units', '/maintenance-companies', '/kitchens', '/cameras', '/users', '/import/units', '/import/devices', '/users/insp1/password', '/auth/logout', '/auth/password', '/live/watch']) {
      const res = await send('admin', { method: 'POST', url: path, body: {} }, false);
      if (res.statusCode !== 403 || res.json().code !== 'TW_CSRF_INVALID') failures.push(`no CSRF POST ${path}: ${res.statusCode}`);
    }
    for (const path of ['/live', '/openapi.json', '/import/units/template']) {
      const res = await send(undefined, { method: 'GET', url: path });
      if (res.statusCode !== 401) failures.push(`anonymous GET ${path}: ${res.statusCode}`);
    }
    const watch = await send(undefined, { method: 'POST', url: '/live/watch', body: { stream: 'x', ids: ['EL-1'] } });
    if (watch.statusCode !== 401) failures.push(`anonymous POST /live/watch: ${watch.statusCode}`);
    expect(failures).toEqual([]);
  });
});
