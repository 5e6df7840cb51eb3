/**
 * The one Lua script that applies a batch's shadow updates (shadow-writer.ts) and, with store by exception, makes
 * its storage decisions (store-decide.ts is the same decision in TypeScript: keep them identical), atomically per
 * call, whatever worker sends it.
 *
 * KEYS[1] feed channel, KEYS[2] change stream, KEYS[3] decided marker, KEYS[4] uplink stream, KEYS[5] decision
 * records, KEYS[6..] the shadow hashes, one per update, in order.
 * ARGV[1] change-stream MAXLEN; ARGV[2] every update's values packed into one string (each value a 4-byte
 * big-endian length and its bytes, see Packer): mode, guard field, guard value, lastSeen, id, ts, then
 *   mode 't' (telemetry):        telemetry JSON, clockSkew "0"/"1"   (the change carries telemetry by reference)
 *   mode 'p' (telemetry, decided): as 't', then the kind's index, the message count n, and n × (4 + fields)
 *                                  little-endian doubles: time ms, sub-ms rank, the entry's ordinal in ARGV[8],
 *                                  the message's index in its entry, each field's value (NaN: absent)
 *   mode 'g' (generic):          changes JSON, n, then n field/value pairs
 * ARGV[3..6] the order gate ('' in ARGV[3]: none; see store-gate.ts): first and last entry id of the batch, the
 * id of the entry before it ('': look it up), "1" to go ahead whatever the marker says. ARGV[7] the policy
 * (store-policy.ts spec). ARGV[8] the ids of the entries whose messages are decided, space separated.
 * Decision records (KEYS[5], a hash by entry id, deleted when the entry is acknowledged): "index:mask[:restore
 * mask:value,…]" per decided message of the entry that stored something, joined by ';' (empty: nothing stored). An entry delivered again (its worker died
 * before writing it) gets its recorded decisions back, and the state is left alone: it is stored exactly as
 * decided, whatever was decided since.
 * Reply: {applied, masks, restores}: masks 4 hex digits per decided message in order, restores
 * "ordinal,mask,value,…" joined by ';'; or {-1, previous id} when the gate says to wait.
 * One packed argument (packer.ts) instead of 8 or more per update: ioredis spent ≈ 3–5 µs per update turning each argument
 * into a command part (bench/ingest/stream-only.ts with DEVICES=20000, where no update coalesces).
 */
import type { Redis } from 'ioredis';

export const SHADOW_SCRIPT = `
local maxlen, blob = ARGV[1], ARGV[2]
local abs = math.abs
local function idparts(id)
  local a, b = string.match(id, '^(%d+)-(%d+)$')
  return tonumber(a) or 0, tonumber(b) or 0
end
local function idless(x, y)
  local xm, xs = idparts(x)
  local ym, ys = idparts(y)
  return xm < ym or (xm == ym and xs < ys)
end
if ARGV[3] ~= '' then
  local last, prev = ARGV[4], ARGV[5]
  if prev == '' then
    local r = redis.call('XREVRANGE', KEYS[4], '(' .. ARGV[3], '-', 'COUNT', 1)
    prev = r[1] and r[1][1] or '0-0'
  end
  local dec = redis.call('GET', KEYS[3])
  if dec and idless(dec, prev) and ARGV[6] ~= '1' then return { -1, prev } end
  if not dec or idless(dec, last) then redis.call('SET', KEYS[3], last) end
end
local pol = {}
for spec in string.gmatch(ARGV[7], '[^|]+') do
  local layout, cmp, rest = string.match(spec, '^(%d+):(%d+):(.*)$')
  local p = { layout = tonumber(layout), cmp = tonumber(cmp), rule = {}, db = {}, hb = {}, bit = {} }
  local n = 0
  for r, d, h in string.gmatch(rest, '(%d),([^,;]+),(%d+)') do
    n = n + 1
    p.rule[n], p.db[n], p.hb[n], p.bit[n] = tonumber(r), tonumber(d), tonumber(h), 2 ^ (n - 1)
  end
  p.n, p.vfmt, p.sfmt, p.fast = n, '<' .. string.rep('d', n), '<' .. string.rep('d', 2 * n + 2), p.cmp > 0
  pol[#pol + 1] = p
end
local entries, recs, fresh = {}, {}, {}
for e in string.gmatch(ARGV[8], '%S+') do entries[#entries + 1] = e end
if #entries > 0 then
  local got = redis.call('HMGET', KEYS[5], unpack(entries))
  for i = 1, #entries do
    if got[i] then
      local r = {}
      for ix, d in string.gmatch(got[i], '(%d+):([^;]*)') do r[tonumber(ix)] = d end
      recs[i] = r
    end
  end
end
local pos, size, k, applied, masks, restores, ordinal = 1, #blob, 6, {}, {}, {}, 0
local head, two, one = '>I4c0I4c0I4c0I4c0I4c0I4c0', '>I4c0I4c0', '>I4c0'
while pos <= size do
  local mode, gf, gv, seen, id, ts
  mode, gf, gv, seen, id, ts, pos = struct.unpack(head, blob, pos)
  local key = KEYS[k]
  k = k + 1
  local changes, fields, cur, state, storedAt
  if mode == 't' or mode == 'p' then
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
  if mode == 'p' then
    local kind, count
    kind, count, pos = struct.unpack(two, blob, pos)
    local p = pol[tonumber(kind)]
    local nf, rule, db, hb, bit = p.n, p.rule, p.db, p.hb, p.bit
    cur = redis.call('HMGET', key, 'lastSeen', gf, 'stored', 'storedAt')
    -- the state: layout, the earliest time a heartbeat is due, per field the last stored value, then their times,
    -- then the compared fields of the newest message decided as it came (bytes); (wms, wsub): that message's time.
    -- Unpacked only when a message is not the same as the one before it.
    local head = 8 * (2 * nf + 2)
    local raw, st, vals, due, wms, wsub = cur[3], nil, nil, 0, 0, 0
    if raw and #raw == head + 8 * p.cmp and struct.unpack('<d', raw) == p.layout then
      due = struct.unpack('<d', raw, 9)
      if p.fast then vals = string.sub(raw, head + 1) end
      if cur[4] and #cur[4] == 16 then wms, wsub = struct.unpack('<dd', cur[4]) end
    else
      raw = nil
    end
    local dirty, moved = false, false
    for _ = 1, tonumber(count) do
      local ms, sub, eo, ix, at = struct.unpack('<dddd', blob, pos)
      pos = at + 8 * nf
      local rec = recs[eo]
      if rec then
        -- delivered again: as decided then (a message the record does not list stored nothing)
        local d = rec[ix]
        if d then
          local hex, rm, rv = string.match(d, '^(%x+):?(%d*):?(.*)$')
          masks[#masks + 1] = hex
          if rm ~= '' then restores[#restores + 1] = ordinal .. ',' .. rm .. ',' .. rv end
        else
          masks[#masks + 1] = '0000'
        end
      else
        local inorder = ms > wms or (ms == wms and sub > wsub)
        local mask, with, rmask, rvals = 0, 0, 0, nil
        -- the same values as the message before (byte for byte) and no heartbeat due: it stores what that one left,
        -- nothing, without a closer look (a value that was not stored then is within its rule now too)
        local now = p.fast and inorder and string.sub(blob, at, at + 8 * p.cmp - 1)
        if not (now and now == vals and ms < due) then
          if not st then
            if raw then
              st = { struct.unpack(p.sfmt, raw) }
            else
              st = { p.layout, 0 }
              for j = 3, 2 * nf + 2 do st[j] = 0 end
            end
          end
          local m = { struct.unpack(p.vfmt, blob, at) }
          -- no heartbeat is due before due (fields never stored are checked one by one)
          local beat = ms >= due
          for j = 1, nf do
            local v = m[j]
            if v == v then
              local r = rule[j]
              if r < 4 then
                local s = st[2 + j]
                local moved = v ~= s and (r == 1 or (r == 2 and abs(v - s) > db[j]) or (r == 3 and abs(v - s) > db[j] * abs(s)))
                if inorder then
                  if not moved then
                    local tau = st[2 + nf + j]
                    moved = tau == 0 or (beat and ms - tau >= hb[j])
                  end
                  if moved then
                    st[2 + j], st[2 + nf + j], dirty = v, ms, true
                    mask = mask + bit[j]
                  end
                else
                  local tau = st[2 + nf + j]
                  if tau == 0 or tau >= ms then
                    mask = mask + bit[j]
                  elseif moved then
                    mask = mask + bit[j]
                    if sub == 0 then
                      rmask = rmask + bit[j]
                      rvals = rvals or {}
                      rvals[#rvals + 1] = string.format('%.17g', s)
                    end
                  end
                end
              elseif r == 5 then
                with = with + bit[j]
              else
                mask = mask + bit[j]
              end
            end
          end
          if inorder and mask > 0 then
            -- heartbeats moved: when the next one is due (over the fields stored so far)
            due = math.huge
            for j = 1, nf do
              local tau = st[2 + nf + j]
              if rule[j] < 4 and tau > 0 and tau + hb[j] < due then due = tau + hb[j] end
            end
          end
          if now then vals, dirty = now, true end
        end
        if inorder then wms, wsub, moved = ms, sub, true end
        if mask == 0 then
          masks[#masks + 1] = '0000'
          -- an entry whose messages stored nothing still gets a record (empty): it was decided
          if eo > 0 and not fresh[eo] then fresh[eo] = {} end
        else
          local hex = string.format('%04x', mask + with)
          masks[#masks + 1] = hex
          if rmask > 0 then
            local rv = table.concat(rvals, ',')
            restores[#restores + 1] = ordinal .. ',' .. rmask .. ',' .. rv
            hex = hex .. ':' .. rmask .. ':' .. rv
          end
          if eo > 0 then
            local f = fresh[eo]
            if not f then f = {}; fresh[eo] = f end
            f[#f + 1] = ix .. ':' .. hex
          end
        end
      end
      ordinal = ordinal + 1
    end
    if dirty then
      st[2] = due
      state = struct.pack(p.sfmt, unpack(st, 1, 2 * nf + 2)) .. (vals or string.rep('\0', 8 * p.cmp))
    end
    if moved then storedAt = struct.pack('<dd', wms, wsub) end
  else
    cur = redis.call('HMGET', key, 'lastSeen', gf)
  end
  local extra = {}
  if (not cur[1]) or tonumber(cur[1]) < tonumber(seen) then
    extra[#extra + 1] = 'lastSeen'
    extra[#extra + 1] = seen
  end
  if state then
    extra[#extra + 1] = 'stored'
    extra[#extra + 1] = state
  end
  if storedAt then
    extra[#extra + 1] = 'storedAt'
    extra[#extra + 1] = storedAt
  end
  if not (cur[2] and tonumber(cur[2]) > tonumber(gv)) then
    for j = 1, #extra do fields[#fields + 1] = extra[j] end
    redis.call('HSET', key, gf, gv, unpack(fields))
    applied[#applied + 1] = '{"id":' .. cjson.encode(id) .. ',"ts":' .. ts .. ',"changes":' .. changes .. '}'
  elseif #extra > 0 then
    redis.call('HSET', key, unpack(extra))
  end
end
local recorded = {}
for eo, r in pairs(fresh) do
  recorded[#recorded + 1] = entries[eo]
  recorded[#recorded + 1] = table.concat(r, ';')
end
if #recorded > 0 then redis.call('HSET', KEYS[5], unpack(recorded)) end
if #applied > 0 then
  local all = '[' .. table.concat(applied, ',') .. ']'
  redis.call('PUBLISH', KEYS[1], all)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', maxlen, '*', 'c', all)
end
return { #applied, table.concat(masks), table.concat(restores, ';') }
`;

/** Registers the script on a connection (EVALSHA, reloaded by ioredis after a Redis restart). */
export function defineShadowCommand(redis: Redis): void {
  if (!('twShadow' in redis)) redis.defineCommand('twShadow', { lua: SHADOW_SCRIPT });
}

/** What one script call answered. */
export type ShadowReply = { wait: true; prev: string } | { wait: false; applied: number; masks: string; restores: string };

export function parseShadowReply(reply: unknown): ShadowReply {
  const r = reply as [number, string, string?];
  if (r[0] === -1) return { wait: true, prev: String(r[1]) };
  return { wait: false, applied: Number(r[0]), masks: String(r[1] ?? ''), restores: String(r[2] ?? '') };
}
