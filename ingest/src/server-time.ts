/**
 * Times the server assigns to a point: for a reading whose device clock is off (clock skew), a status message
 * without a time, and broker presence. InfluxDB identifies a point by measurement, tags and time, so two such
 * points of one device must never share a time (the second would overwrite the first: a terminal with a wrong
 * clock flushing its offline buffer sends dozens in one millisecond).
 *
 * The rule: a server time is the message's place in the uplink stream. The entry id `ms-seq` that Redis gave the
 * stream entry is unique and strictly increasing over the whole stream; the time is that millisecond, plus the
 * message's rank inside it in nanoseconds: seq × 64 + index + 1 (64 = UPLINK_BATCH_MAX_MESSAGES, the most a broker
 * puts in one entry). So it is
 *   - unique: no two messages of the stream get the same time (device times are whole milliseconds, rank ≥ 1,
 *     so a server time never equals a device time either);
 *   - ordered: per device (and globally) in the order the broker accepted the messages;
 *   - deterministic: a function of the stream entry alone, so a batch written again after a crash, a reclaim by
 *     another worker or a retry gets the same times, and InfluxDB overwrites the same points instead of adding.
 * The rank fits the 999,999 ns of a millisecond while seq < 15,625, i.e. fewer than 15,625 stream entries in one
 * millisecond (Redis appends at most a few hundred); beyond that it carries into the next millisecond (still
 * ordered). An entry of more than 64 messages (written by a tool, never by the broker) may share ranks with the
 * next entry of its millisecond.
 */
import { UPLINK_BATCH_MAX_MESSAGES } from '@tianwang/core/pipeline';

const NS_PER_MS = 1_000_000;
const SLOTS = NS_PER_MS - 1;

/** An entry id's millisecond and its rank base (seq × 64 + 1): a message's rank is base + its index in the entry. */
export function streamPosition(id: string): { ms: number; base: number } {
  const dash = id.indexOf('-');
  const ms = Number(dash < 0 ? id : id.slice(0, dash));
  const seq = dash < 0 ? 0 : Number(id.slice(dash + 1));
  return { ms: Number.isFinite(ms) ? ms : 0, base: (Number.isFinite(seq) ? seq : 0) * UPLINK_BATCH_MAX_MESSAGES + 1 };
}

/** The millisecond of a server time (rank 0: no rank, the millisecond as is). */
export function serverMs(ms: number, rank: number): number {
  return rank > SLOTS ? ms + Math.floor((rank - 1) / SLOTS) : ms;
}

/** The nanoseconds within that millisecond, 1–999,999 (0 for rank 0). */
export function serverSub(rank: number): number {
  return rank > SLOTS ? ((rank - 1) % SLOTS) + 1 : rank;
}

/** The six digits a line's millisecond time is followed by (precision=ns): "000000" for a device time. */
export function nsDigits(sub: number): string {
  return sub === 0 ? '000000' : String(sub).padStart(6, '0');
}
