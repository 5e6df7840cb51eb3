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
 *   stored, storedAt         store by exception's decision state (binary; shadow-script.ts)
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
 * One Lua call per chunk of a batch (shadow-script.ts) does every update: a stale message (an older one
 * re-delivered after a worker crash, or overtaken by another worker) never overwrites a newer value, and
 * no change is published for it. Telemetry is coalesced per device within a call (only the newest counts).
 * With store by exception the same call decides which telemetry fields of every message are stored
 * (field `stored` of the hash holds the decision state, binary: store-decide.ts).
 */
import type { ChainableCommander } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';
import { Packer } from './packer.js';
import type { CompiledPolicy } from './store-policy.js';
import type { Validated } from './validator.js';

export { defineShadowCommand } from './shadow-script.js';
export { packStrings } from './packer.js';

type ShadowPipe = ChainableCommander & {
  twShadow(numKeys: number, ...keysAndArgs: (string | Buffer)[]): ChainableCommander;
};

export interface ShadowChange {
  id: string;
  ts: number;
  changes: Record<string, unknown>;
}

type Ok = Extract<Validated, { ok: true }>;

/** The batch's place in the uplink stream, for the order gate (store-gate.ts). */
export interface GateRange {
  first: string;
  last: string;
}

/** Where each message of a batch comes from: its entry id and its index in that entry (decision records). */
export interface Origins {
  ids: readonly string[];
  indexes: readonly number[];
}

/** One queued script call: what its reply's decisions refer to, and how to send it again. */
export interface ShadowCall {
  /** the telemetry messages the reply decides, in reply order (store by exception) */
  decided: Ok[];
  /** telemetry field values those messages carry */
  fieldsReceived: number;
  /** queues the call (again) on `pipe`; `prev`: the entry before the batch, when known; `force`: past the gate */
  send(pipe: ChainableCommander, gate?: { prev?: string; force?: boolean }): void;
}

const byTime = (a: Ok, b: Ok) => a.ts - b.ts || a.sub - b.sub;

export class ShadowWriter {
  /** ids this process has added to the index already (cleared on reconnect: Redis may have lost it) */
  private readonly indexed = new Set<string>();
  private readonly packer = new Packer();
  private row = new Float64Array(64);

  constructor(
    private readonly keys: PipelineKeys,
    private readonly changesMaxLen: number,
    /** store by exception; undefined: every field of every message is stored (no decisions) */
    private readonly policy?: CompiledPolicy,
  ) {}

  forgetIndex(): void {
    this.indexed.clear();
  }

  /**
   * Queues one script call with the shadow updates of `batch` (valid messages of consecutive stream entries) on
   * `pipe`, and with store by exception its decisions behind the order gate for `range`. Undefined when there is
   * nothing to send.
   */
  queue(pipe: ChainableCommander, batch: Ok[], range?: GateRange, origins?: Origins): ShadowCall | undefined {
    const gated = this.policy !== undefined && range !== undefined;
    if (!batch.length && !gated) return undefined;
    const telemetry = new Map<string, Ok[]>();
    const keys: string[] = [];
    const packer = this.packer;
    /** per telemetry message: its entry's ordinal (1-based, in `entries`) and its index in the entry */
    const where = new Map<Ok, [number, number]>();
    const entries: string[] = [];
    for (let i = 0; i < batch.length; i++) {
      const v = batch[i]!;
      const d = v.device;
      if (!this.indexed.has(d.id)) {
        // Registry facts are written when a worker first sees the device (a restart picks up a moved device).
        this.indexed.add(d.id);
        pipe.sadd(this.keys.shadowIndex, d.id);
        pipe.hset(this.keys.shadow(d.id), 'kind', d.kind, 'unit', d.unitId, 'district', d.districtId);
      }
      if (v.body.channel === 'telemetry') {
        if (this.policy && origins) {
          const id = origins.ids[i]!;
          if (entries[entries.length - 1] !== id) entries.push(id);
          where.set(v, [entries.length, origins.indexes[i]!]);
        }
        const list = telemetry.get(d.id);
        if (list) list.push(v);
        else telemetry.set(d.id, [v]);
        continue;
      }
      keys.push(this.keys.shadow(d.id));
      this.pack(v);
    }
    const decided: Ok[] = [];
    let fieldsReceived = 0;
    for (const list of telemetry.values()) {
      if (list.length > 1) list.sort(byTime);
      const newest = list[list.length - 1]!;
      keys.push(this.keys.shadow(newest.device.id));
      if (!this.policy) {
        this.pack(newest);
        continue;
      }
      fieldsReceived += this.packDecided(list, where);
      for (const v of list) decided.push(v);
    }
    const blob = packer.take();
    const fixed = [this.keys.shadowFeed, this.keys.shadowChanges, this.keys.ingestDecided, this.keys.uplink, this.keys.ingestDecisions];
    const maxLen = String(this.changesMaxLen);
    const spec = this.policy?.spec ?? '';
    const entryIds = entries.join(' ');
    return {
      decided,
      fieldsReceived,
      send(p, gate = {}) {
        const g = gated ? [range.first, range.last, gate.prev ?? '', gate.force ? '1' : '0'] : ['', '', '', ''];
        (p as ShadowPipe).twShadow(keys.length + fixed.length, ...fixed, ...keys, maxLen, blob, ...g, spec, entryIds);
      },
    };
  }

  /**
   * A 'p' record: the newest message as the shadow's telemetry, then per message its time, where it comes from
   * (0 0: nowhere to record its decision) and its encoded values.
   */
  private packDecided(list: Ok[], where: Map<Ok, [number, number]>): number {
    const newest = list[list.length - 1]!;
    const c = this.policy!.kinds[newest.device.kind];
    this.head('p', newest, 'telemetryTs', newest.ts);
    const body = newest.body as Extract<Ok['body'], { channel: 'telemetry' }>;
    // the device's own JSON text when validation kept all of it (saves a JSON.stringify per message)
    this.packer.str(body.text ?? JSON.stringify(body.value));
    this.packer.str(newest.clockSkew ? '1' : '0');
    this.packer.str(String(c.index));
    this.packer.str(String(list.length));
    const width = 4 + c.fields.length;
    if (this.row.length < width * list.length) this.row = new Float64Array(width * list.length * 2);
    const row = this.row;
    let present = 0;
    list.forEach((v, i) => {
      const o = i * width;
      const [entry, index] = where.get(v) ?? [0, 0];
      row[o] = v.ts;
      row[o + 1] = v.sub;
      row[o + 2] = entry;
      row[o + 3] = index;
      present += c.encode((v.body as { value: Record<string, unknown> }).value, row, o + 4);
    });
    this.packer.doubles(row, 0, width * list.length);
    return present;
  }

  private head(mode: string, v: Ok, guard: string, guardValue: number): void {
    const p = this.packer;
    p.str(mode);
    p.str(guard);
    p.str(String(guardValue));
    p.str(String(v.receivedAt));
    p.str(v.device.id);
    p.str(String(v.ts));
  }

  private pack(v: Ok): void {
    const body = v.body;
    const p = this.packer;
    switch (body.channel) {
      case 'telemetry':
        this.head('t', v, 'telemetryTs', v.ts);
        // the device's own JSON text when validation kept all of it (saves a JSON.stringify per message)
        p.str(body.text ?? JSON.stringify(body.value));
        p.str(v.clockSkew ? '1' : '0');
        return;
      case 'event': {
        const e = body.value;
        const state = JSON.stringify({ state: e.state, ts: v.ts, ...(e.detail ? { detail: e.detail } : {}) });
        this.head('g', v, `event:${e.code}:ts`, v.ts);
        p.str(`{"events":{${JSON.stringify(e.code)}:${state}}}`);
        p.str('1');
        p.str(`event:${e.code}`);
        p.str(state);
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
        this.head('g', v, 'presenceTs', v.receivedAt);
        p.str(JSON.stringify(changes));
        p.str(String(fields.length / 2));
        for (const f of fields) p.str(f);
        return;
      }
    }
  }
}
