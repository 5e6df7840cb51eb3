import { UPLINK_BATCH_VERSION, type UplinkBatch } from '@tianwang/core/pipeline';

/**
 * The Lua scripts by which the broker appends to the uplink stream and measures it.
 *
 * Every batch entry carries `s`, the running total of messages appended to the stream up to and including it
 * (core/src/pipeline/uplink-entry.ts). The messages the stream holds are then exact, whatever was trimmed and
 * however many messages each entry holds: the newest entry's `s` minus the total before the oldest entry
 * (its `s` minus its `n`). At most two O(log N) range reads (one after an append, which knows the newest total),
 * no counter to keep in step with XTRIM, and it survives a
 * Redis restart with the stream (AOF). Entries without `s` (written by an older broker during a rolling upgrade,
 * or by tools) count by XLEN instead, one message per entry, until they are trimmed.
 *
 * Why not XLEN × messages per entry: the stream may hold minutes of small entries (a quiet fleet, a lagging
 * consumer group within its retention) when a burst arrives in full entries of 64; that estimate then jumped past
 * TW_MQTT_UPLINK_MAX_LEN, the broker held every publish, the held publishes made the next batches larger still,
 * and terminals that were reporting looked silent (the 20-minute soak of 2026-12-03, docs/benchmarks.md).
 */

/** `held(key)`: messages the stream holds now (see above). Shared by both scripts. */
const HELD = `
local function field(fields, name)
  for i = 1, #fields, 2 do
    if fields[i] == name then return tonumber(fields[i + 1]) end
  end
  return nil
end
-- ls: the newest entry's running total when the caller knows it (the append script just wrote it)
local function held(key, ls)
  if not ls then
    local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
    if not last then return 0 end
    ls = field(last[2], 's')
  end
  local first = redis.call('XRANGE', key, '-', '+', 'COUNT', 1)[1]
  if not first then return 0 end
  local fs, fn = field(first[2], 's'), field(first[2], 'n')
  if ls and fs and fn then return ls - fs + fn end
  return redis.call('XLEN', key)
end`;

/**
 * One script call per batch. ARGV: the field names v, n, s, b, the version, then count and data per entry.
 * Appends one stream entry per (count, data) with its running total, and returns the messages the stream holds.
 */
export const APPEND_SCRIPT = `${HELD}
local key = KEYS[1]
local fv, fn, fs, fb, ver = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local last = redis.call('XREVRANGE', key, '+', '-', 'COUNT', 1)[1]
local total = (last and field(last[2], 's')) or 0
for i = 6, #ARGV, 2 do
  total = total + tonumber(ARGV[i])
  redis.call('XADD', key, '*', fv, ver, fn, ARGV[i], fs, string.format('%d', total), fb, ARGV[i + 1])
end
if #ARGV < 6 then return held(key) end
return held(key, total)`;

/** Read-only: the messages the stream holds (the broker polls it while it holds publishes back). */
export const HELD_SCRIPT = `${HELD}
return held(KEYS[1])`;

/** APPEND_SCRIPT's ARGV for these batch entries (the broker's writer, and benchmarks measuring it). */
export function appendScriptArgs(entries: readonly UplinkBatch[]): (string | Buffer)[] {
  const args: (string | Buffer)[] = ['v', 'n', 's', 'b', UPLINK_BATCH_VERSION];
  for (const e of entries) args.push(String(e.count), e.data);
  return args;
}
