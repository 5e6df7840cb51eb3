/**
 * N browsers on the live board, as one process: each an SSE connection to /api/v1/live with its session cookie,
 * watching a window of 50 rows as a browser watches the rows on screen (POST /live/watch; client i's window starts
 * at device i × devices / n, so the windows differ and cover the fleet).
 *   sse-clients.ts <baseUrl> <n> <devices> <cookie>|<csrf>[,<cookie>|<csrf>…]
 * Prints {"connected": n} once every stream said `ready` and had its window accepted; then each stdin line "mark"
 * starts a window and "report" prints that window's figures: events, bytes, and per client the lag (receive time −
 * the time in the patch) of the watched rows' telemetry (`telemetryTs`, set by the load generator at publish) and of
 * status patches (their `lastSeen`, the time of the device's latest message; unwatched rows get it once a minute).
 * Reading costs little: events are counted and the lags sampled in the raw bytes (the first and last of each kind in
 * each socket read), without parsing every event; a real browser parses, but its CPU is not the dashboard's.
 */
import { request } from 'node:http';
import { http } from './http.js';
import { deviceId } from './seed.js';

const [base, nS, devicesS, sessionsS] = process.argv.slice(2) as [string, string, string, string];
const n = Number(nS);
const devices = Number(devicesS);
const sessions = sessionsS.split(',').map((s) => s.split('|') as [string, string]);
const WINDOW = 50;
const EVENT = Buffer.from('event: patch\n');
const TS = Buffer.from('"telemetryTs":');
const SEEN = Buffer.from('"lastSeen":');
/** a live part reads `"telemetryTs":<13 digits>,"lastSeen":`; a status patch's lastSeen follows another field */
const LIVE_SEEN_GAP = TS.length + 14;

interface Client { events: number; bytes: number; lags: number[]; statusLags: number[]; ended: string | undefined; bytesSinceOpen: number }
const clients: Client[] = [];
let watching = 0;

function tsAt(buf: Buffer, at: number, key: Buffer): number | undefined {
  const start = at + key.length;
  if (start + 13 > buf.length) return undefined;
  const v = Number(buf.toString('latin1', start, start + 13));
  return Number.isFinite(v) && v > 1e12 ? v : undefined;
}

/** The lag of the first and last occurrence of `key` in a read (those `skip` does not rule out). */
function sample(buf: Buffer, key: Buffer, now: number, into: number[], skip?: (at: number) => boolean): void {
  let first = -1;
  let last = -1;
  for (let at = buf.indexOf(key); at >= 0; at = buf.indexOf(key, at + key.length)) {
    if (skip?.(at)) continue;
    if (first < 0) first = at;
    last = at;
  }
  if (first < 0) return;
  for (const at of first === last ? [first] : [first, last]) {
    const ts = tsAt(buf, at, key);
    if (ts !== undefined) into.push(now - ts);
  }
}

async function watch(i: number, stream: string, c: Client): Promise<void> {
  const [cookie, csrf] = sessions[i % sessions.length]!;
  const from = Math.floor((i * devices) / n);
  const ids = Array.from({ length: Math.min(WINDOW, devices) }, (_, k) => deviceId((from + k) % devices));
  const res = await http('POST', `${base}/api/v1/live/watch`, { cookie, csrf, body: { stream, ids } });
  if (res.status !== 204) c.ended = `watch: HTTP ${res.status} ${res.body}`;
  if (++watching === n) process.stdout.write(`${JSON.stringify({ connected: watching })}\n`);
}

function open(i: number): void {
  const c: Client = { events: 0, bytes: 0, lags: [], statusLags: [], ended: undefined, bytesSinceOpen: 0 };
  clients.push(c);
  let stream: string | undefined;
  const req = request(`${base}/api/v1/live`, { headers: { cookie: sessions[i % sessions.length]![0], accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      c.ended = `HTTP ${res.statusCode}`;
      res.resume();
      return;
    }
    res.on('data', (buf: Buffer) => {
      const now = Date.now();
      if (!stream) {
        stream = /"stream":"([^"]+)"/.exec(buf.toString('latin1'))?.[1];
        if (stream) void watch(i, stream, c);
      }
      c.bytes += buf.length;
      c.bytesSinceOpen += buf.length;
      for (let at = buf.indexOf(EVENT); at >= 0; at = buf.indexOf(EVENT, at + EVENT.length)) c.events++;
      sample(buf, TS, now, c.lags);
      sample(buf, SEEN, now, c.statusLags, (at) => at >= LIVE_SEEN_GAP && buf.indexOf(TS, at - LIVE_SEEN_GAP) === at - LIVE_SEEN_GAP);
    });
    res.on('end', () => (c.ended ??= 'ended by the server'));
  });
  req.on('error', (err) => (c.ended = err.message));
  req.end();
}

const pct = (xs: number[], p: number) => (xs.length ? xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]! : NaN);

for (let i = 0; i < n; i++) open(i);

process.stdin.setEncoding('utf8');
let lineBuf = '';
process.stdin.on('data', (d: string) => {
  lineBuf += d;
  let nl: number;
  while ((nl = lineBuf.indexOf('\n')) >= 0) {
    const cmd = lineBuf.slice(0, nl).trim();
    lineBuf = lineBuf.slice(nl + 1);
    if (cmd === 'mark') for (const c of clients) Object.assign(c, { events: 0, bytes: 0, lags: [], statusLags: [] });
    if (cmd === 'report') {
      const perClientP99 = clients.map((c) => pct(c.lags.sort((a, b) => a - b), 99)).filter(Number.isFinite).sort((a, b) => a - b);
      const all = clients.flatMap((c) => c.lags).sort((a, b) => a - b);
      const status = clients.flatMap((c) => c.statusLags).sort((a, b) => a - b);
      process.stdout.write(`${JSON.stringify({
        clients: clients.length, open: clients.filter((c) => !c.ended).length, ended: [...new Set(clients.map((c) => c.ended).filter(Boolean))],
        events: clients.reduce((a, c) => a + c.events, 0), bytes: clients.reduce((a, c) => a + c.bytes, 0), bytesSinceOpen: clients.reduce((a, c) => a + c.bytesSinceOpen, 0),
        lagP50: pct(all, 50), lagP99: pct(all, 99), clientP99Median: pct(perClientP99, 50), clientP99Worst: perClientP99.at(-1) ?? NaN,
        statusLagP50: pct(status, 50), statusLagP99: pct(status, 99), statusSamples: status.length,
      })}\n`);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
