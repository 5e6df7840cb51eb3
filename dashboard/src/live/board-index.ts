import { deviceInScope, type Scope } from '../auth/scope.js';
import type { BoardRow } from './board-row.js';
import { textMatches } from './board-search.js';

export const BOARD_SORTS = ['id', 'registrationCode', 'name', 'kind', 'unitName', 'districtName', 'online', 'lastSeen', 'activeAlarms'] as const;
export type BoardSort = (typeof BOARD_SORTS)[number];
export type Key = string | number;

/** A comparable value of a row for a sort; unknown values (never seen online, never reported) sort last in ascending order. */
export function keyOf(r: BoardRow, sort: BoardSort): Key {
  switch (sort) {
    case 'online':
      return r.online === true ? 2 : r.online === false ? 1 : 0;
    case 'lastSeen':
      return r.lastSeen ?? 0;
    case 'activeAlarms':
      return r.activeAlarms;
    default:
      return r[sort];
  }
}

export const cmpKey = (a: Key, b: Key) => (typeof a === 'number' && typeof b === 'number' ? a - b : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0);
export const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Rows in ascending (key, id) order with the key each was sorted by (`keys` absent: the id sort, the key is the id).
 * Descending is the same array read backwards (ties are broken by id in the same direction).
 */
export interface Ordered {
  rows: BoardRow[];
  keys: Key[] | undefined;
}

/** What the index needs of the board: its rows in id order and when they changed (board-state.ts). */
export interface IndexedBoard {
  rows(): BoardRow[];
  /** moves when a device comes, goes or changes scope (unit, district, company, kind) */
  readonly membership: number;
  /** moves when any row's field changes */
  fieldVersion(field: keyof BoardRow): number;
}

interface Sorted extends Ordered {
  keys: Key[];
  version: number;
}

interface ScopeRows {
  /** the scope's districts, joined: an inspector's subtree may change under the same key */
  sig: string;
  membership: number;
  rows: BoardRow[];
  sorted: Map<BoardSort, Sorted>;
}

/** Search texts whose matches are kept at most (each a set of up to every row); more clears the lot. */
const MAX_SEARCHES = 32;
/** The fields the text search reads besides the id (board-search.ts). */
const SEARCHED = ['name', 'registrationCode', 'location', 'unitName'] as const;
/** Scopes kept at most (one per scope in use: a district node, a unit, a company); more clears the lot. */
const MAX_SCOPES = 256;

const sortKeyed = (rows: BoardRow[], keys: Key[]): Ordered => {
  const order = rows.map((_, i) => i);
  order.sort((a, b) => cmpKey(keys[a]!, keys[b]!) || byId(rows[a]!.id, rows[b]!.id));
  return { rows: order.map((i) => rows[i]!), keys: order.map((i) => keys[i]!) };
};

/**
 * The board's rows per scope, in id order and in the order of each sort asked for, kept between requests
 * (docs/dashboard.md "How the list is served"). At 200 requests a second over 5,000 rows, testing every row's scope
 * and sorting every request was most of a list request's CPU. A scope's rows are rebuilt only when devices come, go or
 * move; a sorted order only when the field it sorts by changed somewhere, and then repaired rather than re-sorted:
 * rows whose key is still the one they were sorted by stay in place, the others (a second's worth of lastSeen at
 * most) are sorted alone and merged back in.
 */
export class BoardIndex {
  private readonly scopes = new Map<string, ScopeRows>();
  private readonly searches = new Map<string, { version: string; rows: ReadonlySet<BoardRow> }>();

  constructor(private readonly board: IndexedBoard) {}

  /** The rows in scope in ascending (key, id) order of the sort (live: do not modify or keep). */
  ordered(scope: Scope, sort: BoardSort): Ordered {
    const s = this.scopeRows(scope);
    if (sort === 'id') return { rows: s.rows, keys: undefined };
    const version = this.board.fieldVersion(sort);
    let ix = s.sorted.get(sort);
    if (!ix) {
      const o = sortKeyed(s.rows, s.rows.map((r) => keyOf(r, sort)));
      s.sorted.set(sort, (ix = { rows: o.rows, keys: o.keys!, version }));
    } else if (ix.version !== version) {
      repair(ix, sort);
      ix.version = version;
    }
    return ix;
  }

  /**
   * The rows of the whole board a search text (trimmed, lower-cased) matches, kept until a device comes, goes or
   * changes a searched field: searching 5,000 rows' text on every request was most of a search's CPU.
   */
  matching(q: string): ReadonlySet<BoardRow> {
    const b = this.board;
    const version = [b.membership, ...SEARCHED.map((f) => b.fieldVersion(f))].join(':');
    const hit = this.searches.get(q);
    if (hit?.version === version) return hit.rows;
    const rows = new Set(b.rows().filter((r) => textMatches(r, q)));
    if (!hit && this.searches.size >= MAX_SEARCHES) this.searches.clear();
    this.searches.set(q, { version, rows });
    return rows;
  }

  private scopeRows(scope: Scope): ScopeRows {
    const sig = scope.kind === 'districts' ? scope.districtIds.join(',') : '';
    const membership = this.board.membership;
    const hit = this.scopes.get(scope.key);
    if (hit && hit.membership === membership && hit.sig === sig) return hit;
    const all = this.board.rows();
    const rows = scope.kind === 'all' ? all : all.filter((r) => deviceInScope(scope, r));
    if (!hit && this.scopes.size >= MAX_SCOPES) this.scopes.clear();
    const s: ScopeRows = { sig, membership, rows, sorted: new Map() };
    this.scopes.set(scope.key, s);
    return s;
  }
}

/** Brings a sorted order up to date: the rows whose key moved are taken out, sorted and merged back. */
function repair(ix: Sorted, sort: BoardSort): void {
  const n = ix.rows.length;
  const stay: BoardRow[] = [];
  const stayKeys: Key[] = [];
  const movedRows: BoardRow[] = [];
  const movedKeys: Key[] = [];
  for (let i = 0; i < n; i++) {
    const r = ix.rows[i]!;
    const k = keyOf(r, sort);
    if (k === ix.keys[i]) {
      stay.push(r);
      stayKeys.push(k);
    } else {
      movedRows.push(r);
      movedKeys.push(k);
    }
  }
  if (!movedRows.length) return;
  const moved = sortKeyed(movedRows, movedKeys);
  const rows: BoardRow[] = new Array(n);
  const keys: Key[] = new Array(n);
  let a = 0;
  let b = 0;
  for (let i = 0; i < n; i++) {
    const takeStay = b >= moved.rows.length || (a < stay.length && (cmpKey(stayKeys[a]!, moved.keys![b]!) || byId(stay[a]!.id, moved.rows[b]!.id)) < 0);
    if (takeStay) {
      rows[i] = stay[a]!;
      keys[i] = stayKeys[a++]!;
    } else {
      rows[i] = moved.rows[b]!;
      keys[i] = moved.keys![b++]!;
    }
  }
  ix.rows = rows;
  ix.keys = keys;
}
