/**
 * What the ingest benchmark's simulated elevators send, and how much of it store by exception keeps.
 *
 * `fleet` (default): readings of firmware-sim's elevator model (trips with a speed profile, doors, passengers,
 * load, the run counter), precomputed as traces sampled once a second, replayed per device from its own trace
 * and offset; traces differ in building height and in the mean idle time between calls (30 s to 5 min: from a
 * busy office block to a quiet residential one). `legacy`: the benchmark's payload before store by exception,
 * where the floor and the run counter change with every message (one message = one point then).
 *
 * Every message also goes through the TypeScript reference of ingest's storage decision with the default policy
 * (store-decide.ts): the count of values that must be readable afterwards, known without asking ingest.
 */
import { ElevatorModel } from '@tianwang/firmware-sim';
import { storagePolicy } from '@tianwang/core/schemas';
import { compilePolicy, decide, newState } from '@tianwang/ingest';

export type PayloadKind = 'fleet' | 'legacy';

const TRACES = 64;
const TRACE_S = 1800;
const IDLE_MS = [30_000, 60_000, 120_000, 300_000];

export interface FleetTraces {
  /** the JSON text of device n's reading at `ts` with `seq` */
  payload(n: number, ts: number, seq: number): string;
  /** store by exception's decision for that reading (call in send order per device): values to store */
  stored(n: number, ts: number, seq: number): number;
  /** telemetry values per message (the ratio's denominator) */
  readonly fieldsPerMessage: number;
}

const popcount = (n: number) => {
  let c = 0;
  for (let x = n; x; x &= x - 1) c++;
  return c;
};

export function fleetTraces(kind: PayloadKind, devices: number, startMs: number): FleetTraces {
  const c = compilePolicy(storagePolicy()).kinds.elevator;
  const width = c.fields.length;
  const states = Array.from({ length: devices }, () => newState(c));
  const scratch = new Float64Array(width);

  if (kind === 'legacy') {
    const text = (i: number) => `"floor":${(i % 30) + 1},"direction":"up","speed":1.75,"door":"closed","doorZone":false,"passenger":true,"mode":1,"power":"mains","runCount":${123456 + i},"runHours":7890.5,"load":42`;
    return {
      fieldsPerMessage: width,
      payload: (_n, ts, seq) => `{"ts":${ts},"seq":${seq},${text(seq)}}`,
      stored(n, ts, seq) {
        const i = seq;
        const reading = { seq, floor: (i % 30) + 1, direction: 'up', speed: 1.75, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'mains', runCount: 123456 + i, runHours: 7890.5, load: 42 };
        c.encode(reading, scratch, 0);
        return popcount(decide(c, states[n]!, ts, 0, scratch).mask);
      },
    };
  }

  // TRACES × TRACE_S readings: their JSON (without ts and seq) and their encoded values
  const texts: string[] = [];
  const values = new Float64Array(TRACES * TRACE_S * width);
  for (let t = 0; t < TRACES; t++) {
    const model = new ElevatorModel({ floors: 6 + ((t * 7) % 28), meanIdleMs: IDLE_MS[t % IDLE_MS.length]! }, `bench-${t}`);
    for (let s = 0; s < TRACE_S; s++) {
      model.step(1000);
      const r = model.reading();
      texts.push(JSON.stringify(r).slice(1, -1));
      c.encode({ ...r, seq: 0 }, values, (t * TRACE_S + s) * width);
    }
  }
  const offset = Array.from({ length: devices }, (_, n) => (n * 7919) % TRACE_S);
  const sample = (n: number, ts: number) => (n % TRACES) * TRACE_S + ((offset[n]! + Math.floor((ts - startMs) / 1000)) % TRACE_S);
  // the generator's CPU counts against the machine it measures: a reading the same as the device's previous one
  // stores nothing until a heartbeat is due (as in the script), without deciding it again
  const previous = new Int32Array(devices).fill(-1);
  const due = new Float64Array(devices);
  return {
    fieldsPerMessage: width,
    payload: (n, ts, seq) => `{"ts":${ts},"seq":${seq},${texts[sample(n, ts)]!}}`,
    stored(n, ts) {
      const at = sample(n, ts);
      const st = states[n]!;
      if (at === previous[n] && ts < due[n]! && ts > st[1]!) {
        st[1] = ts;
        return 0;
      }
      previous[n] = at;
      const mask = decide(c, st, ts, 0, values.subarray(at * width, at * width + width)).mask;
      let next = Number.POSITIVE_INFINITY;
      for (let j = 0; j < width; j++) {
        const tau = st[4 + 2 * j]!;
        if (c.rules[j]! < 4 && tau > 0 && tau + c.heartbeatMs[j]! < next) next = tau + c.heartbeatMs[j]!;
      }
      due[n] = next;
      return popcount(mask);
    },
  };
}
