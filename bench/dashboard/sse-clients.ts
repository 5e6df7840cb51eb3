/**
 * N browsers on the live board, as one process: each an SSE connection to /api/v1/live with its session cookie.
 *   sse-clients.ts <baseUrl> <n> <cookie>[,<cookie>…]
 * Prints {"connected": n} once every stream said `ready`; then each stdin line "mark" starts a window and "report"
 * prints that window's figures: events, bytes, and the lag of the board (receive time − the reading's own time,
 * which the load generator set at publish) per client.
 * Reading costs little: events are counted and the lag sampled in the raw bytes (the first and last
 * "telemetryTs" of each socket read), without parsing every event; a real browser parses, but its CPU is not the
 * dashboard's.
 */
import { request } from 'node:http';

const [base, nS, cookiesS] = process.argv.slice(2) as [string, string, string];
const n = Number(nS);
const cookies = cookiesS.split(',');
const EVENT = Buffer.from('event: device\n');
const TS = Buffer.from('"telemetryTs":');

interface Client { events: number; bytes: number; lags: number[]; ended: string | undefined }
const clients: Client[] = [];
let ready = 0;

function tsAt(buf: Buffer, at: number): number | undefined {
  const start = at + TS.length;
  if (start + 13 > buf.length) return undefined;
  const v = Number(buf.toString('latin1', start, start + 13));
  return Number.isFinite(v) && v > 1e12 ? v : undefined;
}

function open(i: number): void {
  const c: Client = { events: 0, bytes: 0, lags: [], ended: undefined };
  clients.push(c);
  let saidReady = false;
  const req = request(`${base}/api/v1/live`, { headers: { cookie: cookies[i % cookies.length]!, accept: 'text/event-stream' } }, (res) => {
    if (res.statusCode !== 200) {
      c.ended = `HTTP ${res.statusCode}`;
      res.resume();
      return;
    }
    res.on('data', (buf: Buffer) => {
      const now = Date.now();
      if (!saidReady) {
        saidReady = true;
        if (++ready === n) process.stdout.write(`${JSON.stringify({ connected: ready })}\n`);
      }
      c.bytes += buf.length;
      for (let at = buf.indexOf(EVENT); at >= 0; at = buf.indexOf(EVENT, at + EVENT.length)) c.events++;
      const first = buf.indexOf(TS);
      if (first < 0) return;
      const last = buf.lastIndexOf(TS);
      for (const at of first === last ? [first] : [first, last]) {
        const ts = tsAt(buf, at);
        if (ts !== undefined) c.lags.push(now - ts);
      }
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
    if (cmd === 'mark') for (const c of clients) Object.assign(c, { events: 0, bytes: 0, lags: [] });
    if (cmd === 'report') {
      const perClientP99 = clients.map((c) => pct(c.lags.sort((a, b) => a - b), 99)).filter(Number.isFinite).sort((a, b) => a - b);
      const all = clients.flatMap((c) => c.lags).sort((a, b) => a - b);
      process.stdout.write(`${JSON.stringify({
        clients: clients.length, open: clients.filter((c) => !c.ended).length, ended: [...new Set(clients.map((c) => c.ended).filter(Boolean))],
        events: clients.reduce((a, c) => a + c.events, 0), bytes: clients.reduce((a, c) => a + c.bytes, 0),
        lagP50: pct(all, 50), lagP99: pct(all, 99), clientP99Median: pct(perClientP99, 50), clientP99Worst: perClientP99.at(-1) ?? NaN,
      })}\n`);
    }
  }
});
process.stdin.on('end', () => process.exit(0));
