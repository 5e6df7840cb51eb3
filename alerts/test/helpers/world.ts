import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { loadConfig, type PlatformConfig } from '@tianwang/core/config';
import { encodeUplinkBatch, encodeUplinkEntry, pipelineKeys } from '@tianwang/core/pipeline';
import { openRegistry, type Registry } from '@tianwang/core/registry';
import { eventTopic, statusTopic, telemetryTopic } from '@tianwang/core/topics';
import type { DeviceKind } from '@tianwang/core/schemas';
import { seedTestWorld } from '@tianwang/core/testing';

export const PHONES = {
  officer: '13800000001',
  principal: '13800000002',
  inspector: '13900000009',
  maintenance: '13700000007',
  kitchen: '13600000006',
};
export const ELEVATOR = 'EL-0001';
export const BOILER = 'BO-0001';
export const CAMERA = 'CAM-0001';
export const MASTER_SECRET = 'test-master-secret-0123456789abcdef0123456789';

/** A small district: one unit with an elevator and a boiler, a maintenance company, an inspector, a kitchen with a camera. */
export async function seedRegistry(opts: { businessHours?: string; lastMaintenanceOn?: string | null; inspectionValidUntil?: string | null } = {}): Promise<Registry> {
  const registry = await openRegistry();
  const today = new Date().toISOString().slice(0, 10);
  await seedTestWorld(registry, {
    unit: { name: '阳光花园物业', address: '阳光路 1 号', safetyOfficerPhone: PHONES.officer, principalPhone: PHONES.principal },
    maintenanceCompany: { contactPhone: '1', emergencyPhone: PHONES.maintenance },
    devices: [
      {
        id: ELEVATOR, kind: 'elevator', registrationCode: '31104403002019001234', name: '3号楼1号梯', location: '3号楼东侧', maintenanceCompanyId: 'M1',
        model: 'TKE-S200', rated: { ratedSpeed: 1.75, ratedLoad: 1000, floors: 18 }, telemetryIntervalS: 1,
        lastMaintenanceOn: opts.lastMaintenanceOn === undefined ? today : opts.lastMaintenanceOn,
        inspectionValidUntil: opts.inspectionValidUntil === undefined ? '2099-01-01' : opts.inspectionValidUntil, credentialHash: null,
      },
      {
        id: BOILER, kind: 'boiler', registrationCode: 'GL-3101-2020-0007', name: '1号蒸汽锅炉', location: '锅炉房',
        model: 'WNS2-1.25', rated: { ratedPressure: 1.25, ratedCapacity: 2, safetyValveSet: 1.3 }, telemetryIntervalS: 1, inspectionValidUntil: '2099-01-01', credentialHash: null,
      },
    ],
  });
  await registry.users.upsert({ id: 'u-insp', username: 'inspector1', displayName: '王监管', role: 'inspector', phone: PHONES.inspector, districtId: 'D1', unitId: null, password: 'correct horse battery' });
  await registry.kitchens.upsert({
    id: 'K1', name: '老王面馆', licenceNo: 'JY13101010000001', address: '美食街 8 号', districtId: 'D1', riskClass: 'B', contactName: '王老板',
    contactPhone: PHONES.kitchen, businessHours: opts.businessHours ?? '00:00-00:00', publicViewing: true,
  });
  await registry.kitchens.upsertCamera({ id: CAMERA, kitchenId: 'K1', area: 'cooking', name: '后厨烹饪区', mode: 'push', sourceUrlSealed: null, publishCredentialHash: 'x', recordingEnabled: true, recordingHours: null, enabled: true });
  return registry;
}

export function testConfig(redisUrl: string, env: Record<string, string> = {}): PlatformConfig & { prefix: string } {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    TW_REDIS_URL: redisUrl, TW_KEY_PREFIX: prefix, TW_PUBLIC_URL: 'http://tw.test', TW_SECRET_KEY: MASTER_SECRET, TW_LOG_LEVEL: 'silent',
    TW_QUIET_HOURS: '00:00-00:01', TW_SMS_RATE_WINDOW_S: '1', ...env,
  });
  return Object.assign(config, { prefix });
}

/** Writes to the uplink stream exactly as the broker does. */
export class Uplink {
  constructor(private readonly redis: Redis, private readonly prefix: string) {}
  private async add(topic: string, payload: unknown, clientId: string, kind: 'm' | 'o' | 'x' = 'm', receivedAt = Date.now()) {
    const fields = encodeUplinkEntry({ topic, payload: typeof payload === 'string' ? payload : JSON.stringify(payload), receivedAt, clientId, kind });
    return this.redis.xadd(pipelineKeys(this.prefix).uplink, '*', ...fields);
  }
  event(kind: DeviceKind, id: string, code: string, state: 'raised' | 'cleared', ts = Date.now()) {
    return this.add(eventTopic(kind, id), { ts, code, state }, id);
  }
  telemetry(kind: DeviceKind, id: string, reading: Record<string, unknown>) {
    return this.add(telemetryTopic(kind, id), reading, id);
  }
  status(kind: DeviceKind, id: string, state: 'online' | 'offline') {
    return this.add(statusTopic(kind, id), { ts: Date.now(), state }, id);
  }
  raw(topic: string, payload: string) {
    return this.add(topic, payload, 'x');
  }
  /** Telemetry of several devices as ONE batch entry (format 2), in the order given. */
  batch(list: { kind: DeviceKind; id: string; reading: Record<string, unknown> }[], receivedAt = Date.now()) {
    const fields = encodeUplinkBatch(list.map((m) => ({ topic: telemetryTopic(m.kind, m.id), payload: JSON.stringify(m.reading), receivedAt, clientId: m.id, kind: 'm' as const })));
    return this.redis.xadd(pipelineKeys(this.prefix).uplink, '*', ...fields);
  }
  camera(camera: string, kitchen: string, state: string, reason = '') {
    return this.redis.xadd(pipelineKeys(this.prefix).cameraEvents, '*', 'camera', camera, 'kitchen', kitchen, 'state', state, 'ts', String(Date.now()), 'reason', reason);
  }
}

export const elevatorReading = (o: Partial<Record<string, unknown>> = {}) => ({
  ts: Date.now(), floor: 3, direction: 'stop', speed: 0, door: 'closed', doorZone: true, passenger: false, mode: 1, power: 'mains', runCount: 100, runHours: 10, load: 0, ...o,
});
export const boilerReading = (o: Partial<Record<string, unknown>> = {}) => ({
  ts: Date.now(), pressure: 1.0, waterLevel: 0, steamTemp: 180, flueTemp: 160, feedWaterTemp: 60, burner: 'running', flame: true, fan: true, feedPump: true, fuelPressure: 5, ...o,
});
