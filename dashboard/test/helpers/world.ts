import type { LightMyRequestResponse } from 'fastify';
import { loadConfig, type PlatformConfig } from '@tianwang/core/config';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { seedTestWorld, startPostgres, startRedis, type PostgresServer, type RedisServer } from '@tianwang/core/testing';
import { createDashboard, type Dashboard, type DashboardDeps } from '../../src/index.js';

export const SECRET = 'dashboard-test-secret-0123456789abcdef0123';
export const PASSWORD = 'password-0123456789';

/**
 * A small district for API tests, two of everything so that every role has something in scope and
 * something out of it:
 *   D1 ─ G1 (U1: EL-1 by M1, BL-1; kitchen K1 run by U1, camera CAM-1) ─ G2 (U2: EL-2 by M2)
 *   D2 ─ G3 (U3: EL-3 by M1; kitchen K3, camera CAM-3)
 * Users: admin; insp1 (D1) and insp2 (D2); unit1 (U1); maint1 (M1, sees EL-1 and EL-3).
 * It is core's seeded test world (seedTestWorld: D1, U1, M1) with the rest as its `more` rows; the devices have no
 * credential (the browser stack sets one).
 */
export async function seedWorld(r: Registry): Promise<void> {
  const unit = (id: string, districtId: string, name: string, code: string) => ({
    id, creditCode: code, name, address: `${name}路1号`, districtId, safetyOfficerName: `${name}安全员`, safetyOfficerPhone: '+8613800000001', principalName: `${name}负责人`, principalPhone: '+8613800000002',
  });
  const elevator = (id: string, unitId: string, companyId: string, n: number) => ({
    id, kind: 'elevator' as const, registrationCode: `3110310100201907000${n}`, name: `${n}号梯`, location: `${n}号楼`, unitId, maintenanceCompanyId: companyId, model: 'GeN2',
    rated: { ratedSpeed: 1.75, ratedLoad: 1000, floors: 18 }, telemetryIntervalS: 10, lastMaintenanceOn: '2020-01-01', inspectionValidUntil: '2099-01-01', credentialHash: null,
  });
  // core's test world (D1, U1, M1) with the second district, the grids and a second unit and company in each
  await seedTestWorld(r, {
    district: { name: '东区' },
    more: {
      areas: [
        { id: 'G1', name: '东一网格', kind: 'grid', parentId: 'D1' },
        { id: 'G2', name: '东二网格', kind: 'grid', parentId: 'D1' },
        { id: 'D2', name: '西区', kind: 'district', parentId: null },
        { id: 'G3', name: '西一网格', kind: 'grid', parentId: 'D2' },
      ],
      units: [unit('U2', 'G2', '东方医院', '91310000MA1FL0AB3A'), unit('U3', 'G3', '西城商场', '91310000MA1FL0AB4X')],
      maintenanceCompanies: [{ id: 'M2', name: '安达电梯', creditCode: null, contactName: '赵', contactPhone: '+8613900000002', emergencyPhone: '+864007654321' }],
    },
    unit: unit('U1', 'G1', '阳光花园', '91310000MA1FL0AB2C'),
    maintenanceCompany: {},
    devices: [
      elevator('EL-1', 'U1', 'M1', 1), elevator('EL-2', 'U2', 'M2', 2), elevator('EL-3', 'U3', 'M1', 3),
      {
        id: 'BL-1', kind: 'boiler', registrationCode: 'GL-2019-0001', name: '1号锅炉', location: '锅炉房', unitId: 'U1', maintenanceCompanyId: null, model: 'WNS2',
        rated: { ratedPressure: 1.25, ratedCapacity: 2, safetyValveSet: 1.3 }, telemetryIntervalS: 10, lastMaintenanceOn: null, inspectionValidUntil: null, credentialHash: null,
      },
    ],
  });
  const kitchen = (id: string, districtId: string, unitId: string | null, n: number) => ({
    id, name: `${n}号食堂`, licenceNo: `JY131011500000${n}`, address: '', districtId, riskClass: 'B' as const, contactName: '', contactPhone: '', businessHours: '06:00-19:00', publicViewing: false, unitId,
  });
  await r.kitchens.upsert(kitchen('K1', 'G1', 'U1', 1));
  await r.kitchens.upsert(kitchen('K3', 'G3', null, 3));
  const camera = (id: string, kitchenId: string) => ({ id, kitchenId, area: 'cooking' as const, name: '烹饪区', mode: 'push' as const, sourceUrlSealed: null, publishCredentialHash: null, recordingEnabled: true, recordingHours: null, enabled: true });
  await r.kitchens.upsertCamera(camera('CAM-1', 'K1'));
  await r.kitchens.upsertCamera(camera('CAM-3', 'K3'));
  const user = (id: string, role: 'admin' | 'inspector' | 'unit' | 'maintenance', o: { districtId?: string; unitId?: string; maintenanceCompanyId?: string } = {}) => ({
    id, username: id, displayName: `${id} 用户`, role, phone: null, districtId: o.districtId ?? null, unitId: o.unitId ?? null, maintenanceCompanyId: o.maintenanceCompanyId ?? null, password: PASSWORD,
  });
  await r.users.upsert(user('admin', 'admin'));
  await r.users.upsert(user('insp1', 'inspector', { districtId: 'D1' }));
  await r.users.upsert(user('insp2', 'inspector', { districtId: 'D2' }));
  await r.users.upsert(user('unit1', 'unit', { unitId: 'U1' }));
  await r.users.upsert(user('maint1', 'maintenance', { maintenanceCompanyId: 'M1' }));
}

export interface World {
  redis: RedisServer;
  registry: Registry;
  dashboard: Dashboard;
  config: PlatformConfig;
  /** the PostgreSQL server's URL when the registry is one (another process may open the same registry) */
  databaseUrl?: string;
  /** the PostgreSQL server itself when the registry is one (a test may stop or restart it) */
  postgres?: PostgresServer;
  close(): Promise<void>;
}

let worlds = 0;

/** Redis, a registry (PGlite in memory, or a PostgreSQL server) with the seed, and a built (not listening) dashboard. */
export async function startWorld(o: { backend?: 'pglite' | 'postgres'; env?: Record<string, string>; deps?: Partial<DashboardDeps>; redis?: RedisServer } = {}): Promise<World> {
  const redis = o.redis ?? (await startRedis());
  let pg: PostgresServer | undefined;
  if (o.backend === 'postgres') pg = await startPostgres();
  const registry = await openRegistry(pg ? { databaseUrl: pg.url } : {});
  await seedWorld(registry);
  const config = loadConfig({ TW_REDIS_URL: redis.url, TW_KEY_PREFIX: `dash${process.pid}x${worlds++}`, TW_SECRET_KEY: SECRET, TW_PUBLIC_URL: 'http://tw.test', ...o.env });
  const dashboard = createDashboard(config, { registry, masterSecret: SECRET, ...o.deps });
  await dashboard.ready();
  return {
    redis, registry, dashboard, config, databaseUrl: pg?.url, postgres: pg,
    async close() {
      await dashboard.stop();
      await registry.close();
      await pg?.stop();
      if (!o.redis) await redis.stop();
    },
  };
}

export interface Login {
  cookie: string;
  csrf: string;
  /** headers of a request in this session; `state` adds the CSRF token */
  headers(state?: boolean): Record<string, string>;
}

export const cookieOf = (res: LightMyRequestResponse): string => {
  const set = res.headers['set-cookie'];
  const first = (Array.isArray(set) ? set : [set ?? '']).find((c) => c.startsWith('tw_sid='));
  if (!first) throw new Error(`no session cookie in ${JSON.stringify(set)}`);
  return first.split(';')[0]!;
};

export async function login(d: Dashboard, username: string, password = PASSWORD, remoteAddress = '127.0.0.1'): Promise<Login> {
  const res = await d.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password }, remoteAddress });
  if (res.statusCode !== 200) throw new Error(`login ${username}: ${res.statusCode} ${res.body}`);
  const cookie = cookieOf(res);
  const csrf = (res.json() as { csrfToken: string }).csrfToken;
  return { cookie, csrf, headers: (state = false) => ({ cookie, ...(state ? { 'x-csrf-token': csrf } : {}) }) };
}
