/**
 * The video wall tile's state machine, plain TS (no Vue, no DOM) so that it is unit-tested
 * (dashboard/test/tile-machine.test.ts). The component (WallTile.vue) feeds it events from the player, the page and
 * the timers and carries out the effects it returns; it never decides anything itself.
 *
 *   idle ──assign──▶ connecting ──progress──▶ live ──stall/error──▶ waiting ──retry──▶ connecting …
 *     any ──hidden/off-screen──▶ paused (stream released) ──visible──▶ connecting
 *
 * A tile in a hidden tab or scrolled off-screen holds no connection (`close`), so a 16-tile wall costs the relay
 * only what is watched. A stall (no frame for STALL_MS) or a player error keeps the last frame on screen
 * (`capture`), releases the connection and reconnects with exponential backoff (BACKOFF_BASE_MS doubling up to
 * BACKOFF_MAX_MS, ±20 % jitter so that a relay restart does not see every tile at once); the attempt count resets
 * once frames flow again. What the tile shows combines this with the relay's health monitor (streams'
 * camera-health: offline / blank / frozen).
 */
export type Phase = 'idle' | 'paused' | 'connecting' | 'live' | 'waiting';
export type Health = 'ok' | 'offline' | 'blank' | 'frozen' | 'unknown';
/** what the tile's badge says */
export type Shown = 'idle' | 'paused' | 'connecting' | 'live' | 'offline' | 'blank' | 'frozen' | 'stalled';

export interface TileModel {
  phase: Phase;
  cameraId: string | null;
  /** on screen and the tab visible */
  visible: boolean;
  /** failed connections since frames last flowed */
  attempt: number;
  health: Health;
  /** a stall or error happened since the last frame (the badge says stalled until frames flow) */
  stalled: boolean;
}

export type TileEvent =
  | { type: 'assign'; cameraId: string | null }
  | { type: 'visible'; visible: boolean }
  | { type: 'progress' }
  | { type: 'stall' }
  | { type: 'error' }
  | { type: 'retry' }
  | { type: 'health'; health: Health };

export type Effect = { type: 'open' } | { type: 'close'; capture: boolean } | { type: 'schedule-retry'; ms: number } | { type: 'cancel-retry' };

export const STALL_MS = 5000;
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 30_000;

export const initialTile = (visible = true): TileModel => ({ phase: 'idle', cameraId: null, visible, attempt: 0, health: 'unknown', stalled: false });

/** Delay before reconnect number `attempt` (1, 2, …): 1 s, 2 s, 4 s … 30 s, each ±20 % (`rand` ∈ [0, 1)). */
export function backoffMs(attempt: number, rand: number = Math.random()): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.8 + 0.4 * rand));
}

/** Where a camera on a visible tile goes: connecting; no camera or not visible: idle or paused. */
function rest(m: TileModel): TileModel {
  if (!m.cameraId) return { ...m, phase: 'idle' };
  return { ...m, phase: m.visible ? 'connecting' : 'paused' };
}

const holdsConnection = (p: Phase) => p === 'connecting' || p === 'live';

export function step(m: TileModel, e: TileEvent, rand: () => number = Math.random): { model: TileModel; effects: Effect[] } {
  switch (e.type) {
    case 'assign': {
      if (e.cameraId === m.cameraId) return { model: m, effects: [] };
      const effects: Effect[] = [];
      if (holdsConnection(m.phase)) effects.push({ type: 'close', capture: false });
      if (m.phase === 'waiting') effects.push({ type: 'cancel-retry' });
      const next = rest({ ...m, cameraId: e.cameraId, attempt: 0, health: 'unknown', stalled: false });
      if (next.phase === 'connecting') effects.push({ type: 'open' });
      return { model: next, effects };
    }
    case 'visible': {
      if (e.visible === m.visible) return { model: m, effects: [] };
      if (!e.visible) {
        const effects: Effect[] = [];
        if (holdsConnection(m.phase)) effects.push({ type: 'close', capture: true });
        if (m.phase === 'waiting') effects.push({ type: 'cancel-retry' });
        return { model: rest({ ...m, visible: false }), effects };
      }
      const next = rest({ ...m, visible: true, attempt: 0 });
      return { model: next, effects: next.phase === 'connecting' ? [{ type: 'open' }] : [] };
    }
    case 'progress':
      if (m.phase !== 'connecting' && m.phase !== 'live') return { model: m, effects: [] };
      return { model: { ...m, phase: 'live', attempt: 0, stalled: false }, effects: [] };
    case 'stall':
    case 'error': {
      if (!holdsConnection(m.phase)) return { model: m, effects: [] };
      const attempt = m.attempt + 1;
      return {
        model: { ...m, phase: 'waiting', attempt, stalled: true },
        effects: [{ type: 'close', capture: true }, { type: 'schedule-retry', ms: backoffMs(attempt, rand()) }],
      };
    }
    case 'retry':
      if (m.phase !== 'waiting') return { model: m, effects: [] };
      return { model: { ...m, phase: 'connecting' }, effects: [{ type: 'open' }] };
    case 'health':
      return { model: { ...m, health: e.health }, effects: [] };
  }
}

/**
 * The badge. The relay's health speaks first when it names a problem the player cannot see itself: a black
 * (blank) or frozen picture still "plays"; offline explains a tile that cannot connect.
 */
export function shown(m: TileModel): Shown {
  if (m.phase === 'idle' || m.phase === 'paused') return m.phase;
  if (m.health === 'blank' || m.health === 'frozen') return m.health;
  if (m.phase === 'live') return 'live';
  if (m.health === 'offline') return 'offline';
  return m.stalled ? 'stalled' : 'connecting';
}

/**
 * Live latency policy (how far the playhead is behind the newest buffered frame, seconds): above JUMP_S jump to
 * TARGET_S before the end; above CHASE_S play at CHASE_RATE until back under TARGET_S; else normal speed. Keeps a
 * tile within ~2 s of the camera even after a tab was busy or the network hiccuped.
 */
export const TARGET_S = 0.5;
export const CHASE_S = 1.0;
export const JUMP_S = 2.0;
export const CHASE_RATE = 1.25;

export function latencyAction(behindS: number, currentRate: number): { rate: number; seekBack?: number } {
  if (behindS > JUMP_S) return { rate: 1, seekBack: TARGET_S };
  if (behindS > CHASE_S) return { rate: CHASE_RATE };
  if (currentRate !== 1 && behindS > TARGET_S) return { rate: currentRate };
  return { rate: 1 };
}

/** When to renew a viewing's signed URLs: a minute before they expire, or at 80 % of a lifetime of 5 min or less. */
export function renewDelayMs(expiresAt: string | number, now: number): number {
  const exp = typeof expiresAt === 'number' ? (expiresAt < 1e12 ? expiresAt * 1000 : expiresAt) : Date.parse(expiresAt);
  const left = exp - now;
  // a lifetime of 5 min or less: at 80 % (also 1 min before for exactly 5 min); longer: 1 min before
  return Math.max(1000, left > 300_000 ? left - 60_000 : left * 0.8);
}
