/**
 * Points InfluxDB refused (write-refusals.ts) go to the dead letters like any invalid message, with reason
 * `influx_refused` and the server's reason as the message, so nothing acknowledged is lost. A batch holds only
 * each line's stream entry id and index; the message itself (topic, payload, client) is read back from the uplink
 * stream, where it still is: an entry is trimmed only once ingest has acknowledged it, which waits for this.
 */
import type { Redis } from 'ioredis';
import { decodeUplinkEntries, type UplinkEntry } from '@tianwang/core/pipeline';
import type { DeadLetterInput, DeadLetterWriter } from './dead-letter.js';
import { claimedDeviceId } from './validator.js';

export interface RefusedPoint {
  streamId: string;
  index: number;
  /** the server's reason */
  reason: string;
  /** the line as sent (the dead letter's payload if the entry were gone) */
  line: string;
}

/** The device tag of a line (for a dead letter whose entry is gone). */
function deviceOfLine(line: string): string {
  const m = /,device=((?:[^\\, ]|\\.)+)/.exec(line);
  return m ? m[1]!.replace(/\\([,= ])/g, '$1') : '?';
}

/** Parks the refused points; resolves with how many were only counted (the per-device rate limit). Throws if Redis fails. */
export async function parkRefused(redis: Redis, stream: string, deadLetters: DeadLetterWriter, points: RefusedPoint[]): Promise<number> {
  const ids = [...new Set(points.map((p) => p.streamId))];
  const read = redis.pipeline();
  for (const id of ids) read.xrangeBuffer(stream, id, id);
  const rows = await read.exec();
  if (!rows) throw new Error('redis pipeline aborted');
  const entries = new Map<string, (UplinkEntry | undefined)[]>();
  rows.forEach(([err, reply], i) => {
    if (err) throw err;
    const found = reply as [Buffer, Buffer[]][];
    if (found[0]) entries.set(ids[i]!, decodeUplinkEntries(found[0][1]));
  });
  const letters: DeadLetterInput[] = points.map((p) => {
    const e = entries.get(p.streamId)?.[p.index];
    return e
      ? { streamId: p.streamId, index: p.index, deviceId: claimedDeviceId(e), reason: 'influx_refused', message: p.reason, topic: e.topic, payload: e.payload, receivedAt: e.receivedAt, clientId: e.clientId }
      : { streamId: p.streamId, index: p.index, deviceId: deviceOfLine(p.line), reason: 'influx_refused', message: p.reason, topic: '', payload: p.line, receivedAt: 0, clientId: '' };
  });
  const pipe = redis.pipeline();
  const suppressed = deadLetters.queue(pipe, letters);
  const results = await pipe.exec();
  if (!results) throw new Error('redis pipeline aborted');
  const failed = results.find(([err]) => err);
  if (failed) throw failed[0];
  return suppressed;
}
