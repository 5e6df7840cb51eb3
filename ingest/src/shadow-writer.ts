/**
 * Device shadow: one Redis hash per device (keys.shadow(id)) with its latest values, and a change feed.
 *
 * Hash fields (all strings):
 *   kind, unit, district     from the registry
 *   telemetry                JSON of the latest telemetry payload (validated; unknown keys dropped)
 *   telemetryTs              its time (ms); clockSkew "1" when that time is the receive time
 *   event:<code>             JSON {state, ts, detail?} of the latest event with that code; event:<code>:ts its time
 *   online                   "1" / "0" from status messages and broker presence; presenceTs the receive time
 *   offlineReason            why it went offline (e.g. "lwt"); firmware, interval from status messages
 *   lastSeen                 the latest receive time of anything from the device (ms)
 *
 * Change feed, written in the same script call: PUBLISH keys.shadowFeed and XADD keys.shadowChanges
 * (MAXLEN ~, fields id and c), both carrying the JSON {"id", "ts", "changes": {...}} where changes holds
 * the fields this message set (telemetry object, events map, online …).
 *
 * One Lua call per device and message does the whole update in one command: a stale message (an older one
 * re-delivered after a worker crash, or overtaken by another worker) never overwrites a newer value, and
 * no change is published for it. Telemetry is coalesced per device within a batch (only the newest counts).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { Validated } from './validator.js';

const SHADOW_SCRIPT = `
local key = KEYS[1]
local cur = redis.call('HGET', key, ARGV[1])
if cur and tonumber(cur) > tonumber(ARGV[2]) then return 0 end
redis.call('HSET', key, ARGV[1], ARGV[2], unpack(ARGV, 7))
local seen = redis.call('HGET', key, 'lastSeen')
if (not seen) or tonumber(seen) < tonumber(ARGV[3]) then redis.call('HSET', key, 'lastSeen', ARGV[3]) end
redis.call('PUBLISH', KEYS[2], ARGV[4])
redis.call('XADD', KEYS[3], 'MAXLEN', '~', ARGV[5], '*', 'id', ARGV[6], 'c', ARGV[4])
return 1
`;

type ShadowPipe = ChainableCommander & {
  twShadow(k1: string, k2: string, k3: string, ...args: string[]): ChainableCommander;
};

/** Registers the script on a connection (EVALSHA with automatic reload after a Redis restart). */
export function defineShadowCommand(redis: Redis): void {
  if (!('twShadow' in redis)) redis.defineCommand('twShadow', { numberOfKeys: 3, lua: SHADOW_SCRIPT });
}

export interface ShadowChange {
  id: string;
  ts: number;
  changes: Record<string, unknown>;
}

type Ok = Extract<Validated, { ok: true }>;

export class ShadowWriter {
  /** ids this process has added to the index already (cleared on reconnect: Redis may have lost it) */
  private readonly indexed = new Set<string>();

  constructor(
    private readonly keys: PipelineKeys,
    private readonly changesMaxLen: number,
  ) {}

  forgetIndex(): void {
    this.indexed.clear();
  }

  /** Queues the shadow updates of one batch of valid messages on `pipe`. */
  queue(pipe: ChainableCommander, batch: Ok[]): void {
    const p = pipe as ShadowPipe;
    const newestTelemetry = new Map<string, Ok>();
    for (const v of batch) {
      const id = v.device.id;
      if (!this.indexed.has(id)) {
        this.indexed.add(id);
        p.sadd(this.keys.shadowIndex, id);
      }
      if (v.body.channel === 'telemetry') {
        const prev = newestTelemetry.get(id);
        if (!prev || prev.ts <= v.ts) newestTelemetry.set(id, v);
        continue;
      }
      this.queueOne(p, v);
    }
    for (const v of newestTelemetry.values()) this.queueOne(p, v);
  }

  private queueOne(p: ShadowPipe, v: Ok): void {
    const d = v.device;
    const fields: string[] = ['kind', d.kind, 'unit', d.unitId, 'district', d.districtId];
    let guard: string;
    let guardValue: number;
    let changes: Record<string, unknown>;
    const body = v.body;
    switch (body.channel) {
      case 'telemetry': {
        guard = 'telemetryTs';
        guardValue = v.ts;
        fields.push('telemetry', JSON.stringify(body.value), 'clockSkew', v.clockSkew ? '1' : '0');
        changes = { telemetry: body.value, clockSkew: v.clockSkew };
        break;
      }
      case 'event': {
        const e = body.value;
        const state = { state: e.state, ts: v.ts, ...(e.detail ? { detail: e.detail } : {}) };
        guard = `event:${e.code}:ts`;
        guardValue = v.ts;
        fields.push(`event:${e.code}`, JSON.stringify(state));
        changes = { events: { [e.code]: state } };
        break;
      }
      case 'status':
      case 'presence': {
        // Presence and status compare by receive time: both come through the broker's clock.
        guard = 'presenceTs';
        guardValue = v.receivedAt;
        const online = body.channel === 'status' ? body.value.state === 'online' : body.online;
        const reason = (body.channel === 'status' ? body.value.reason : body.reason) ?? '';
        fields.push('online', online ? '1' : '0', 'offlineReason', online ? '' : reason);
        changes = { online, ...(online ? {} : { offlineReason: reason }) };
        if (body.channel === 'status') {
          if (body.value.firmware !== undefined) {
            fields.push('firmware', body.value.firmware);
            changes.firmware = body.value.firmware;
          }
          if (body.value.interval !== undefined) {
            fields.push('interval', String(body.value.interval));
            changes.interval = body.value.interval;
          }
        }
        break;
      }
    }
    const change: ShadowChange = { id: d.id, ts: v.ts, changes };
    p.twShadow(
      this.keys.shadow(d.id), this.keys.shadowFeed, this.keys.shadowChanges,
      guard, String(guardValue), String(v.receivedAt), JSON.stringify(change), String(this.changesMaxLen), d.id,
      ...fields,
    );
  }
}
