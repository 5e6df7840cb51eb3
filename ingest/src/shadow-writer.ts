/**
 * Device shadow: one Redis hash per device (keys.shadow(id)) with its latest values, and a change feed.
 *
 * Hash fields (all strings):
 *   kind, unit, district     from the registry (written when a worker first sees the device)
 *   telemetry                JSON of the latest telemetry payload (validated; unknown keys dropped)
 *   telemetryTs              its time (ms); clockSkew "1" when that time is a server time (the device clock was off)
 *   event:<code>             JSON {state, ts, detail?} of the latest event with that code; event:<code>:ts its time
 *   online                   "1" / "0" from status messages and broker presence; presenceTs the receive time
 *   offlineReason            why it went offline (e.g. "lwt"); firmware, interval from status messages
 *   lastSeen                 the latest receive time of anything from the device (ms)
 *
 * Change feed, written in the same script call: the JSON {"id", "ts", "changes"} of every applied update,
 * collected into one JSON array per call that goes out once by PUBLISH keys.shadowFeed and once by XADD
 * keys.shadowChanges (MAXLEN ~, field c). One PUBLISH per call rather than per update: the per-update
 * redis.call cost Redis ≈ 2.5 µs per update. `changes` holds the shadow fields the message set, by value:
 *   telemetry            {telemetryTs, clockSkew}: the telemetry itself by reference. It is the bulk of every
 *                        update, and copying it into the feed cost Redis ≈ 4 µs per update (string building in
 *                        Lua, PUBLISH, XADD and its AOF record), a fifth of its whole cost per message; a reader
 *                        that wants the values asks for them (shadow-reader.ts `telemetry: true`) and pays a
 *                        read only when someone is listening
 *   event                {events: {<code>: {state, ts, detail?}}}
 *   status / presence    {online, offlineReason?, firmware?, interval?}
 *
 * One Lua call per batch (per 500 updates) does every update: a stale message (an older one
 * re-delivered after a worker crash, or overtaken by another worker) never overwrites a newer value, and
 * no change is published for it. Telemetry is coalesced per device within a batch (only the newest counts).
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import type { Validated } from './validator.js';

// One script call per batch (not per message): ioredis' per-command cost dominated ingest's CPU otherwise.
// KEYS[1] feed channel, KEYS[2] change stream, KEYS[3..] the shadow hashes, one per update, in order.
// ARGV[1] change-stream MAXLEN, ARGV[2] every update's values packed into one string (each value a 4-byte
// big-endian length and its bytes; see packStrings): mode, guard field, guard value, lastSeen, id, ts, then
//   mode 't' (telemetry): telemetry JSON, clockSkew "0"/"1"   (the script builds the change: telemetry by reference)
//   mode 'g' (generic):   changes JSON, n, then n field/value pairs
// One packed argument instead of 8 or more per update: ioredis spent ≈ 3–5 µs per update turning each argument
// into a command part (bench/ingest/stream-only.ts with DEVICES=20000, where no update coalesces).
const SHADOW_SCRIPT = `
local maxlen, blob = ARGV[1], ARGV[2]
local pos, size, k, applied = 1, #blob, 3, {}
local head, two, one = '>I4c0I4c0I4c0I4c0I4c0I4c0', '>I4c0I4c0', '>I4c0'
while pos <= size do
  local mode, gf, gv, seen, id, ts
  mode, gf, gv, seen, id, ts, pos = struct.unpack(head, blob, pos)
  local key = KEYS[k]
  k = k + 1
  local changes, fields
  if mode == 't' then
    local telemetry, skew
    telemetry, skew, pos = struct.unpack(two, blob, pos)
    changes = '{"telemetryTs":' .. ts .. ',"clockSkew":' .. (skew == '1' and 'true' or 'false') .. '}'
    fields = { 'telemetry', telemetry, 'clockSkew', skew }
  else
    local n
    changes, n, pos = struct.unpack(two, blob, pos)
    fields = {}
    for j = 1, tonumber(n) * 2 do fields[j], pos = struct.unpack(one, blob, pos) end
  end
  local cur = redis.call('HMGET', key, 'lastSeen', gf)
  local bump = (not cur[1]) or tonumber(cur[1]) < tonumber(seen)
  if bump then
    fields[#fields + 1] = 'lastSeen'
    fields[#fields + 1] = seen
  end
  if not (cur[2] and tonumber(cur[2]) > tonumber(gv)) then
    redis.call('HSET', key, gf, gv, unpack(fields))
    applied[#applied + 1] = '{"id":' .. cjson.encode(id) .. ',"ts":' .. ts .. ',"changes":' .. changes .. '}'
  elseif bump then
    redis.call('HSET', key, 'lastSeen', seen)
  end
end
if #applied > 0 then
  local all = '[' .. table.concat(applied, ',') .. ']'
  redis.call('PUBLISH', KEYS[1], all)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'c', all)
end
return #applied
`;

/** Strings packed as the script reads them: per string a 4-byte big-endian byte length, then its UTF-8 bytes. */
export function packStrings(parts: readonly string[]): Buffer {
  let size = 0;
  for (const p of parts) size += 4 + Buffer.byteLength(p);
  const buf = Buffer.allocUnsafe(size);
  let o = 0;
  for (const p of parts) {
    const len = buf.write(p, o + 4);
    buf.writeUInt32BE(len, o);
    o += 4 + len;
  }
  return buf;
}

const SCRIPT_CHUNK = 500;

type ShadowPipe = ChainableCommander & {
  twShadow(numKeys: number, ...keysAndArgs: (string | Buffer)[]): ChainableCommander;
};

/** Registers the script on a connection (EVALSHA, reloaded by ioredis after a Redis restart). */
export function defineShadowCommand(redis: Redis): void {
  if (!('twShadow' in redis)) redis.defineCommand('twShadow', { lua: SHADOW_SCRIPT });
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

  /** Queues the shadow updates of one batch of valid messages on `pipe` (one script call per 500 updates). */
  queue(pipe: ChainableCommander, batch: Ok[]): void {
    if (!batch.length) return;
    const p = pipe as ShadowPipe;
    const newestTelemetry = new Map<string, Ok>();
    let keys: string[] = [];
    let args: string[] = [];
    // Chunks keep the argument list of one call bounded (a spread of hundreds of thousands of arguments throws).
    const flush = () => {
      if (keys.length) p.twShadow(keys.length + 2, this.keys.shadowFeed, this.keys.shadowChanges, ...keys, String(this.changesMaxLen), packStrings(args));
      keys = [];
      args = [];
    };
    const add = (v: Ok) => {
      this.add(keys, args, v);
      if (keys.length >= SCRIPT_CHUNK) flush();
    };
    for (const v of batch) {
      const d = v.device;
      if (!this.indexed.has(d.id)) {
        // Registry facts are written when a worker first sees the device (a restart picks up a moved device).
        this.indexed.add(d.id);
        p.sadd(this.keys.shadowIndex, d.id);
        p.hset(this.keys.shadow(d.id), 'kind', d.kind, 'unit', d.unitId, 'district', d.districtId);
      }
      if (v.body.channel === 'telemetry') {
        const prev = newestTelemetry.get(d.id);
        if (!prev || prev.ts <= v.ts) newestTelemetry.set(d.id, v);
        continue;
      }
      add(v);
    }
    for (const v of newestTelemetry.values()) add(v);
    flush();
  }

  private add(keys: string[], args: string[], v: Ok): void {
    const d = v.device;
    keys.push(this.keys.shadow(d.id));
    const body = v.body;
    const head = (guard: string, guardValue: number) => args.push(guard, String(guardValue), String(v.receivedAt), d.id, String(v.ts));
    switch (body.channel) {
      case 'telemetry':
        args.push('t');
        head('telemetryTs', v.ts);
        // the device's own JSON text when validation kept all of it (saves a JSON.stringify per message)
        args.push(body.text ?? JSON.stringify(body.value), v.clockSkew ? '1' : '0');
        return;
      case 'event': {
        const e = body.value;
        const state = JSON.stringify({ state: e.state, ts: v.ts, ...(e.detail ? { detail: e.detail } : {}) });
        args.push('g');
        head(`event:${e.code}:ts`, v.ts);
        args.push(`{"events":{${JSON.stringify(e.code)}:${state}}}`, '1', `event:${e.code}`, state);
        return;
      }
      case 'status':
      case 'presence': {
        // Presence and status compare by receive time: both come through the broker's clock.
        const online = body.channel === 'status' ? body.value.state === 'online' : body.online;
        const reason = (body.channel === 'status' ? body.value.reason : body.reason) ?? '';
        const fields: string[] = ['online', online ? '1' : '0', 'offlineReason', online ? '' : reason];
        const changes: Record<string, unknown> = { online, ...(online ? {} : { offlineReason: reason }) };
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
        args.push('g');
        head('presenceTs', v.receivedAt);
        args.push(JSON.stringify(changes), String(fields.length / 2), ...fields);
        return;
      }
    }
  }
}
