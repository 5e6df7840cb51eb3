import type { Redis } from 'ioredis';
import type { AlertsKeys } from '../keys.js';
import type { ThresholdState } from '../rules/threshold.js';

// Compare-and-set of one hash field: several workers may evaluate the same device; only the one that saw the
// current value may write, the other re-reads and evaluates again.
const CAS = `
local cur = redis.call('HGET', KEYS[1], ARGV[1]) or ''
if cur ~= ARGV[2] then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
return 1`;

// All the state hashes of a batch in one command (a pipeline of 500 HGETALLs costs more client CPU than the work).
const LOAD_MANY = `
local out = {}
for i, k in ipairs(KEYS) do out[i] = redis.call('HGETALL', k) end
return out`;

export type DeviceStates = Map<string, { raw: string; state: ThresholdState | undefined }>;

/** Threshold rule states in Redis (one hash per device), so a restart or another worker continues the duration. */
export class RuleStateStore {
  constructor(private readonly redis: Redis, private readonly keys: AlertsKeys) {}

  /** Reads the states of many devices in one round trip. */
  async load(deviceIds: string[]): Promise<Map<string, DeviceStates>> {
    const out = new Map<string, DeviceStates>();
    if (!deviceIds.length) return out;
    const results = (await this.redis.eval(LOAD_MANY, deviceIds.length, ...deviceIds.map((id) => this.keys.ruleState(id)))) as string[][];
    deviceIds.forEach((id, i) => {
      const flat = results[i] ?? [];
      const m: DeviceStates = new Map();
      for (let j = 0; j + 1 < flat.length; j += 2) m.set(flat[j]!, { raw: flat[j + 1]!, state: JSON.parse(flat[j + 1]!) as ThresholdState });
      out.set(id, m);
    });
    return out;
  }

  /** Writes changed states; returns the devices whose write lost a race (to be evaluated again). */
  async save(changes: { deviceId: string; rule: string; expected: string; next: ThresholdState | undefined }[]): Promise<Set<string>> {
    const lost = new Set<string>();
    if (!changes.length) return lost;
    const p = this.redis.pipeline();
    for (const c of changes) p.eval(CAS, 1, this.keys.ruleState(c.deviceId), c.rule, c.expected, c.next ? JSON.stringify(c.next) : '');
    const results = (await p.exec()) ?? [];
    changes.forEach((c, i) => {
      const [err, ok] = results[i] ?? [null, 0];
      if (err) throw err;
      if (Number(ok) !== 1) lost.add(c.deviceId);
    });
    return lost;
  }
}
