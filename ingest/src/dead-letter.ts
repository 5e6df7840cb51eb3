/**
 * Dead letters: every refused message is counted per device and reason (HINCRBY on keys.invalidCounts,
 * "deviceId|reason"), and parked with its reason in the bounded stream keys.deadLetter. A device that floods
 * bad messages is only counted beyond a per-device rate, so its garbage cannot crowd out the others'.
 *
 * Entry fields: d device id · r reason · m message · t topic · p payload (first 1,024 characters)
 *               at receive time (ms) · c MQTT client id · sid the uplink stream id · i the message's index in
 *               that entry (batch entries hold several messages; 0 for a one-message entry)
 */
import type { ChainableCommander, Redis } from 'ioredis';
import type { PipelineKeys } from '@tianwang/core/pipeline';

export const DEAD_LETTER_PAYLOAD_CHARS = 1024;

export interface DeadLetterInput {
  streamId: string;
  /** index of the message inside its stream entry */
  index: number;
  deviceId: string;
  reason: string;
  message: string;
  topic: string;
  payload: string;
  receivedAt: number;
  clientId: string;
}

export interface DeadLetter extends Omit<DeadLetterInput, 'streamId'> {
  /** id of the dead-letter entry (its time is the moment it was parked) */
  id: string;
  streamId: string;
}

/** Collects one batch's dead letters and counts, then queues them on a pipeline in one go. */
export class DeadLetterWriter {
  private window = new Map<string, number>();
  private windowStart = 0;

  constructor(
    private readonly keys: PipelineKeys,
    private readonly maxLen: number,
    private readonly perDevicePerMinute: number,
  ) {}

  /** Queues the batch on `pipe`; returns how many entries were counted but not parked (rate limit). */
  queue(pipe: ChainableCommander, letters: DeadLetterInput[], now = Date.now()): number {
    if (now - this.windowStart >= 60_000) {
      this.window.clear();
      this.windowStart = now;
    }
    const counts = new Map<string, number>();
    let suppressed = 0;
    for (const l of letters) {
      const countKey = `${l.deviceId}|${l.reason}`;
      counts.set(countKey, (counts.get(countKey) ?? 0) + 1);
      const used = this.window.get(l.deviceId) ?? 0;
      if (used >= this.perDevicePerMinute) {
        suppressed++;
        continue;
      }
      this.window.set(l.deviceId, used + 1);
      pipe.xadd(
        this.keys.deadLetter, 'MAXLEN', '~', String(this.maxLen), '*',
        'd', l.deviceId, 'r', l.reason, 'm', l.message.slice(0, 500), 't', l.topic.slice(0, 200),
        'p', l.payload.slice(0, DEAD_LETTER_PAYLOAD_CHARS), 'at', String(l.receivedAt), 'c', l.clientId.slice(0, 100), 'sid', l.streamId, 'i', String(l.index),
      );
    }
    for (const [k, n] of counts) pipe.hincrby(this.keys.invalidCounts, k, n);
    return suppressed;
  }
}

function toDeadLetter(id: string, fields: string[]): DeadLetter {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i] as string] = fields[i + 1] as string;
  return {
    id,
    streamId: f.sid ?? '',
    index: Number(f.i ?? 0),
    deviceId: f.d ?? '',
    reason: f.r ?? '',
    message: f.m ?? '',
    topic: f.t ?? '',
    payload: f.p ?? '',
    receivedAt: Number(f.at ?? 0),
    clientId: f.c ?? '',
  };
}

export interface DeadLetterQuery {
  /** newest first; at most this many (default 100, at most 1,000) */
  count?: number;
  /** only entries older than this dead-letter id (paging) */
  before?: string;
  deviceId?: string;
  reason?: string;
}

/**
 * Operators' view: the newest dead letters, optionally of one device or reason. Filters scan at most 10,000
 * entries back, which is plenty for a console and keeps the call cheap.
 */
export async function listDeadLetters(redis: Redis, keys: PipelineKeys, q: DeadLetterQuery = {}): Promise<DeadLetter[]> {
  const want = Math.min(Math.max(q.count ?? 100, 1), 1000);
  const filtered = q.deviceId !== undefined || q.reason !== undefined;
  const out: DeadLetter[] = [];
  let end = q.before ? `(${q.before}` : '+';
  let scanned = 0;
  while (out.length < want && scanned < (filtered ? 10_000 : want)) {
    const page = (await redis.xrevrange(keys.deadLetter, end, '-', 'COUNT', filtered ? 500 : want)) as [string, string[]][];
    if (!page.length) break;
    for (const [id, fields] of page) {
      const l = toDeadLetter(id, fields);
      if ((q.deviceId === undefined || l.deviceId === q.deviceId) && (q.reason === undefined || l.reason === q.reason)) out.push(l);
      if (out.length >= want) break;
    }
    scanned += page.length;
    end = `(${page[page.length - 1]![0]}`;
  }
  return out;
}

export interface InvalidCount {
  deviceId: string;
  reason: string;
  count: number;
}

/** Invalid-message counts per device and reason, largest first. */
export async function invalidCounts(redis: Redis, keys: PipelineKeys): Promise<InvalidCount[]> {
  const all = await redis.hgetall(keys.invalidCounts);
  return Object.entries(all)
    .map(([k, v]) => {
      const at = k.lastIndexOf('|');
      return { deviceId: k.slice(0, at), reason: k.slice(at + 1), count: Number(v) };
    })
    .sort((a, b) => b.count - a.count || a.deviceId.localeCompare(b.deviceId));
}
