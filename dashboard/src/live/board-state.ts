import type { DeviceShadow, ShadowChange } from '@tianwang/ingest';
import type { ScopedDevice } from '../auth/scope.js';
import { REGISTRY_FIELDS, calendarMarks, emptyRow, type BoardRow, type RegistryRow } from './board-row.js';

/**
 * The fields only the rows a client watches receive every flush (its viewport: docs/dashboard.md "Live updates").
 * Every other field is status: the board's filters, counters and the big screen need it live for every row.
 */
export const LIVE_FIELDS: ReadonlySet<keyof BoardRow> = new Set(['telemetry', 'telemetryTs', 'lastSeen']);
/** An unwatched row's lastSeen goes out with its status at most this often (decided per device, not per client). */
export const LAST_SEEN_EVERY_MS = 60_000;

/** The live part of a patch: what a watched row receives besides its status. */
export interface LivePart {
  telemetryTs: number | null;
  lastSeen: number | null;
  /** the whole telemetry: when it was null before or lost keys */
  telemetry?: Record<string, unknown> | null;
  /** only the telemetry keys whose values changed since the last flush (merged into the row's telemetry) */
  tm?: Record<string, unknown>;
}

/** A coalesced change of one device: the fields that changed since the last flush (and what it was, if it moved). */
export interface BoardPatch {
  id: string;
  /** the changed status fields (LIVE_FIELDS excluded, but lastSeen when this device's coarse lastSeen is due) */
  fields: Partial<BoardRow>;
  /** set when telemetry, telemetryTs or lastSeen changed */
  live?: LivePart;
  /** set when the device's scope-relevant fields changed (unit, district, company, kind): where it was before */
  was?: ScopedDevice;
  /** the device left the registry */
  removed?: boolean;
}

/** What the board keeps per device beyond the row: the times that guard against applying older news. */
interface Entry {
  row: BoardRow;
  registry: RegistryRow;
  presenceTs: number;
  events: Record<string, { state: string; ts: number }>;
  /**
   * when this device's lastSeen last went out with its status (LAST_SEEN_EVERY_MS); it starts at a random point of
   * the last period so that 5,000 devices reporting every second spread their lastSeen over the minute instead of all
   * going in one flush (500 clients × 5,000 × ~40 B at once)
   */
  lastSeenSentAt: number;
  /** the row as JSON (UTF-8), until it next changes: the list answers pages of these (board-list.ts pageJson) */
  json?: Buffer | undefined;
}

/** What changed of a device since the last flush; `tm`: the telemetry keys changed, or 'all' for the whole of it. */
interface Dirty {
  fields: Set<keyof BoardRow>;
  tm?: Set<string> | 'all';
  was?: ScopedDevice;
  removed?: boolean;
}

const scoped = (r: BoardRow): ScopedDevice => ({ kind: r.kind, unitId: r.unitId, districtId: r.districtId, maintenanceCompanyId: r.maintenanceCompanyId });
const same = (a: unknown, b: unknown) => a === b || (typeof a === 'object' && a !== null && JSON.stringify(a) === JSON.stringify(b));
const activeCodes = (events: Entry['events']) => Object.keys(events).filter((c) => events[c]!.state === 'raised').sort();

/**
 * Every device's board row in memory: the registry's part (re-read on a timer and after writes) joined with
 * the shadow's (loaded at start, then kept current by the change feed). Changes are collected per device and
 * handed out at most once per flush (the fan-out flushes every second): a device reporting ten times a second
 * costs one update per client per second.
 */
export class BoardState {
  private readonly entries = new Map<string, Entry>();
  private readonly dirty = new Map<string, Dirty>();
  /** shadows seen before the registry knew the device (a device added meanwhile), applied when it appears */
  private readonly orphans = new Map<string, DeviceShadow & { presenceTs?: number }>();
  /** rows in id order, rebuilt when devices come or go (the rows themselves are updated in place) */
  private rowsCache: BoardRow[] | undefined;
  private readonly versions = new Map<keyof BoardRow, number>();
  private moved = 0;

  constructor(private readonly now: () => number = Date.now) {}

  get size(): number {
    return this.entries.size;
  }

  get(id: string): BoardRow | undefined {
    return this.entries.get(id)?.row;
  }

  /** Moves when a device comes, goes or changes scope (the list's per-scope rows: board-index.ts). */
  get membership(): number {
    return this.moved;
  }

  /** Moves when the field changes in any row (a sorted order by it is then repaired). */
  fieldVersion(field: keyof BoardRow): number {
    return this.versions.get(field) ?? 0;
  }

  /** The row as JSON in UTF-8, serialized once per change of the row (as the list's response schema would: rows hold its fields only). */
  rowJson(row: BoardRow): Buffer {
    const e = this.entries.get(row.id);
    if (!e) return Buffer.from(JSON.stringify(row));
    return (e.json ??= Buffer.from(JSON.stringify(e.row)));
  }

  /** Every row, in id order (the caller filters and sorts; rows and the array are live: do not modify or keep them). */
  rows(): BoardRow[] {
    this.rowsCache ??= [...this.entries.keys()].sort().map((id) => this.entries.get(id)!.row);
    return this.rowsCache;
  }

  /** Replaces the registry's part of every row; devices no longer registered leave the board. */
  setRegistry(rows: RegistryRow[], today: string): void {
    const seen = new Set<string>();
    for (const r of rows) {
      seen.add(r.id);
      const marks = calendarMarks(r, today);
      const e = this.entries.get(r.id);
      if (!e) {
        this.entries.set(r.id, { row: emptyRow(r, marks), registry: r, presenceTs: 0, events: {}, lastSeenSentAt: this.now() - Math.random() * LAST_SEEN_EVERY_MS });
        this.rowsCache = undefined;
        this.moved++;
        const orphan = this.orphans.get(r.id);
        if (orphan) {
          this.orphans.delete(r.id);
          this.applyShadow(orphan);
        }
        this.touch(r.id, [...REGISTRY_FIELDS, 'maintenanceOverdue', 'inspectionExpiring', 'inspectionExpired']);
        continue;
      }
      const before = scoped(e.row);
      const changed: (keyof BoardRow)[] = [];
      const row = e.row as unknown as Record<keyof BoardRow, unknown>;
      const set = (f: keyof BoardRow, v: unknown) => {
        if (same(row[f], v)) return;
        row[f] = v;
        changed.push(f);
      };
      for (const f of REGISTRY_FIELDS) set(f, r[f]);
      for (const [f, v] of Object.entries(marks)) set(f as keyof BoardRow, v);
      e.registry = r;
      if (changed.length) this.touch(r.id, changed, same(before, scoped(e.row)) ? undefined : before);
    }
    for (const [id, e] of this.entries) {
      if (seen.has(id)) continue;
      this.entries.delete(id);
      this.rowsCache = undefined;
      this.moved++;
      this.dirty.set(id, { fields: new Set(), was: scoped(e.row), removed: true });
    }
  }

  /** New active alarm counts (devices without an entry have none). */
  setAlarmCounts(counts: ReadonlyMap<string, number>): void {
    for (const [id, e] of this.entries) {
      const n = counts.get(id) ?? 0;
      if (e.row.activeAlarms === n) continue;
      e.row.activeAlarms = n;
      e.registry.activeAlarms = n;
      this.touch(id, ['activeAlarms']);
    }
  }

  /** A device's whole shadow (at start, or after a feed gap): applied field by field, never over newer values. */
  applyShadow(s: DeviceShadow & { presenceTs?: number }): void {
    const e = this.entries.get(s.id);
    if (!e) {
      this.orphans.set(s.id, s);
      return;
    }
    const changes: Record<string, unknown> = {};
    if (s.online !== undefined) changes.online = s.online;
    if (s.telemetryTs !== undefined) {
      changes.telemetryTs = s.telemetryTs;
      changes.telemetry = s.telemetry;
    }
    if (Object.keys(s.events).length) changes.events = s.events;
    const presenceTs = s.presenceTs ?? s.lastSeen ?? 0;
    this.apply(e, changes, presenceTs, s.lastSeen);
    // onlineSince at start: the time of the latest status or presence message (the best the shadow knows)
    if (s.online !== undefined && e.row.onlineSince === null && presenceTs) {
      e.row.onlineSince = presenceTs;
      this.touch(s.id, ['onlineSince']);
    }
  }

  /** One change from the shadow feed (or changesSince after a gap). */
  applyChange(c: ShadowChange): void {
    const e = this.entries.get(c.id);
    if (!e) return;
    this.apply(e, c.changes, c.ts, Math.min(c.ts, this.now()));
  }

  private apply(e: Entry, changes: Record<string, unknown>, ts: number, seen: number | undefined): void {
    const row = e.row;
    const changed: (keyof BoardRow)[] = [];
    if (typeof changes.online === 'boolean' && ts >= e.presenceTs) {
      e.presenceTs = ts;
      if (row.online !== changes.online) {
        row.online = changes.online;
        row.onlineSince = ts;
        changed.push('online', 'onlineSince');
      }
    }
    const tts = changes.telemetryTs;
    if (typeof tts === 'number' && tts >= (row.telemetryTs ?? -Infinity)) {
      row.telemetryTs = tts;
      changed.push('telemetryTs');
      const t = changes.telemetry as Record<string, unknown> | undefined;
      if (t) {
        this.noteTelemetryKeys(row.id, row.telemetry, t);
        row.telemetry = t;
        changed.push('telemetry');
      }
    }
    const events = changes.events as Record<string, { state: string; ts: number }> | undefined;
    if (events) {
      for (const [code, ev] of Object.entries(events)) if (!e.events[code] || e.events[code].ts <= ev.ts) e.events[code] = { state: ev.state, ts: ev.ts };
      const codes = activeCodes(e.events);
      if (!same(codes, row.activeEvents)) {
        row.activeEvents = codes;
        changed.push('activeEvents');
      }
    }
    if (seen !== undefined && seen > (row.lastSeen ?? 0)) {
      row.lastSeen = seen;
      changed.push('lastSeen');
    }
    if (changed.length) this.touch(row.id, changed);
  }

  private dirtyOf(id: string): Dirty {
    let d = this.dirty.get(id);
    if (!d) this.dirty.set(id, (d = { fields: new Set() }));
    return d;
  }

  /** Which telemetry keys a new reading changes: watched rows then receive only those (the whole when keys went away). */
  private noteTelemetryKeys(id: string, before: Record<string, unknown> | null, after: Record<string, unknown>): void {
    const d = this.dirtyOf(id);
    if (d.tm === 'all') return;
    if (!before || Object.keys(before).some((k) => !(k in after))) {
      d.tm = 'all';
      return;
    }
    d.tm ??= new Set();
    for (const k of Object.keys(after)) if (!same(before[k], after[k])) d.tm.add(k);
  }

  /** Every change of a row passes here: the patches to send, the row's JSON and the list's orders follow it. */
  private touch(id: string, fields: readonly (keyof BoardRow)[], was?: ScopedDevice): void {
    const d = this.dirtyOf(id);
    const e = this.entries.get(id);
    if (e) e.json = undefined;
    for (const f of fields) {
      d.fields.add(f);
      this.versions.set(f, (this.versions.get(f) ?? 0) + 1);
    }
    if (was) this.moved++;
    if (was && !d.was) d.was = was;
  }

  /** The changes since the last call, one patch per device with the current values of its changed fields. */
  takePatches(): BoardPatch[] {
    const out: BoardPatch[] = [];
    const now = this.now();
    for (const [id, d] of this.dirty) {
      if (d.removed) {
        out.push({ id, fields: {}, removed: true, ...(d.was ? { was: d.was } : {}) });
        continue;
      }
      const e = this.entries.get(id);
      if (!e) continue;
      const row = e.row;
      const fields: Partial<BoardRow> = {};
      let live: LivePart | undefined;
      for (const f of d.fields) {
        if (!LIVE_FIELDS.has(f)) (fields as Record<string, unknown>)[f] = row[f];
        else live ??= { telemetryTs: row.telemetryTs, lastSeen: row.lastSeen };
      }
      if (live && d.fields.has('telemetry')) {
        if (d.tm === 'all' || !d.tm || !row.telemetry) live.telemetry = row.telemetry;
        else if (d.tm.size) live.tm = Object.fromEntries([...d.tm].map((k) => [k, row.telemetry![k]]));
      }
      // "last seen" of the rows nobody watches stays roughly right at a coarse rate, the same for every client
      if (d.fields.has('lastSeen') && now - e.lastSeenSentAt >= LAST_SEEN_EVERY_MS) {
        fields.lastSeen = row.lastSeen;
        e.lastSeenSentAt = now;
      }
      out.push({ id, fields, ...(live ? { live } : {}), ...(d.was ? { was: d.was } : {}) });
    }
    this.dirty.clear();
    return out;
  }
}
