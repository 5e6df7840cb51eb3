/**
 * Simulated elevators publishing valid telemetry through the broker at QoS 1 (raw sockets and hand-written
 * packets, so that the generator costs little next to what it measures). Each device's timestamps strictly increase.
 *   <port> <devices> <secret> [--per-connection K --master M] [--payload fleet|legacy] [--store all]: connects and prints
 *   {"connected": n}; then each stdin line "<rate> <seconds>" runs one step and prints JSON {sent, acked, seconds,
 *   first, last, fields, expected}; stdin closed → disconnect, exit.
 * Connections: one per device (as real terminals), or with `--per-connection K` one sim-admin service connection
 * per K devices (TW_MQTT_SIM_ADMIN: it publishes on any device's topics; the broker hands the messages to the
 * pipeline as that device's): a process may hold 20,000 open files, fewer than a district's terminals.
 * `expected`: how many telemetry values store by exception must keep of the acknowledged messages (fleet-traces.ts);
 * `fields`: how many they carried. PUBACKs arrive in publish order per connection [MQTT-4.6.0-2], so the
 * acknowledged messages of a connection are its oldest in flight.
 * The fleet stays connected across steps, as real devices do.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';
import { servicePassword } from '@tianwang/broker';
import { fleetTraces, type PayloadKind } from './fleet-traces.js';

const [portS, devicesS, secret] = process.argv.slice(2) as string[];
const opt = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const port = Number(portS), nDev = Number(devicesS);
const perConnection = Number(opt('--per-connection') ?? 0);
const master = opt('--master') ?? '';
const payloadKind = (opt('--payload') ?? 'fleet') as PayloadKind;
/** TW_INGEST_STORE of the ingest workers: with `all` every value must be readable */
const storeAll = opt('--store') === 'all';
const deviceId = (i: number) => `EB-${String(i).padStart(6, '0')}`;
/** messages in flight per connection: 200 per device, as before; a shared connection stays below 65,535 packet ids */
const MAX_INFLIGHT = perConnection ? Math.min(20_000, 200 * perConnection) : 200;
const nConn = perConnection ? Math.ceil(nDev / perConnection) : nDev;
const connOf = (n: number) => (perConnection ? n % nConn : n);

const traces = fleetTraces(payloadKind, nDev, Date.now());

function open(k: number): Promise<Socket> {
  const [clientId, username, password] = perConnection ? [`svc:sim-admin:lg${k}`, 'svc:sim-admin', servicePassword(master, 'sim-admin')] : [deviceId(k), deviceId(k), secret!];
  return new Promise((resolve, reject) => {
    let connacked = false;
    const s = connect({
      port,
      host: '127.0.0.1',
      onread: {
        buffer: () => readBuffer,
        callback: (bytes: number, buf: Uint8Array) => {
          if (connacked) {
            // after the 4-byte CONNACK the broker sends this client nothing but 4-byte PUBACKs
            if (partial[k] === 0 && buf[0] !== 0x40) unexpected++;
            onAcks(k, bytes);
            return true;
          }
          if (buf[0] !== 0x20 || buf[3] !== 0) {
            reject(new Error(`CONNACK refused for ${clientId}: ${buf[3]}`));
            return false;
          }
          connacked = true;
          s.removeListener('error', reject);
          s.on('error', () => {});
          if (bytes > 4) onAcks(k, bytes - 4);
          resolve(s);
          return true;
        },
      },
    });
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('connect', () => s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0, username, password: Buffer.from(password) })));
  });
}

const inflight = new Array<number>(nConn).fill(0);
const lastTs = new Array<number>(nDev).fill(0);
const seq = new Array<number>(nDev).fill(0);
/** per connection, the stored-value counts of its messages in flight (a ring, oldest first) */
const queued = Array.from({ length: nConn }, () => ({ buf: new Int32Array(MAX_INFLIGHT), head: 0, size: 0 }));
let sent = 0, acked = 0, unexpected = 0, expected = 0;
// PUBACK is 4 bytes (0x40 0x02 id id): count them without a parser, straight from the socket's read buffer
// (net's `onread`: no Buffer per read and no 'data' event, ≈ 3 µs less of the generator's CPU per message)
const readBuffer = Buffer.allocUnsafe(64 * 1024);
const partial = new Array<number>(nConn).fill(0);
function onAcks(k: number, bytes: number): void {
  const total = partial[k]! + bytes;
  const whole = total >> 2;
  acked += whole;
  inflight[k]! -= whole;
  partial[k] = total & 3;
  const q = queued[k]!;
  for (let i = 0; i < whole && q.size; i++) {
    expected += q.buf[q.head]!;
    q.head = (q.head + 1) % MAX_INFLIGHT;
    q.size--;
  }
}
const socks: Socket[] = [];
for (let i = 0; i < nConn; i += 100) socks.push(...(await Promise.all(Array.from({ length: Math.min(100, nConn - i) }, (_, j) => open(i + j)))));
process.stdout.write(`${JSON.stringify({ connected: socks.length })}\n`);

// PUBLISH QoS 1 packets written by hand into one buffer (fixed header, topic, packet id, payload): mqtt-packet's
// generate() and a Buffer.concat per message made the generator cost about as much as a pipeline component.
const topics = Array.from({ length: nDev }, (_, n) => Buffer.from(`tw/v1/elevator/${deviceId(n)}/telemetry`));
function publishPacket(n: number, body: string, id: number): Buffer {
  const topic = topics[n]!;
  const rest = 2 + topic.length + 2 + body.length; // payload is ASCII: length in bytes = length in chars
  let lenBytes = 1;
  for (let r = rest; r >= 128; r >>= 7) lenBytes++;
  const buf = Buffer.allocUnsafe(1 + lenBytes + rest);
  buf[0] = 0x32; // PUBLISH, QoS 1, no DUP, no RETAIN
  let o = 1;
  for (let r = rest; ; ) {
    const b = r & 0x7f;
    r >>= 7;
    buf[o++] = r ? b | 0x80 : b;
    if (!r) break;
  }
  buf.writeUInt16BE(topic.length, o);
  topic.copy(buf, o + 2);
  o += 2 + topic.length;
  buf.writeUInt16BE(id, o);
  buf.write(body, o + 2, 'latin1');
  return buf;
}

const ids = new Array<number>(nConn).fill(0);
const tickMs = 10;

/** Publishes `rate` messages/s for `seconds` s, paced by the clock, then waits (≤ 10 s) for the acknowledgements. */
async function step(rate: number, seconds: number) {
  sent = 0;
  acked = 0;
  expected = 0;
  const start = Date.now();
  let first = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() - start >= seconds * 1000) { clearInterval(timer); return resolve(); }
      // due by the clock, not by ticks: a starved timer must not lower the offered rate
      let k = Math.floor(((Date.now() - start) * rate) / 1000) - sent;
      // one write per message, as a real device sends one message per segment; a sim-admin connection speaks for
      // many devices, like a gateway: what it has to send in one tick goes out together (fewer system calls for
      // the generator, whose CPU is taken from the pipeline it measures)
      if (perConnection) for (const s of socks) s.cork();
      for (let tries = 0; k > 0 && tries < nDev; tries++) {
        const n = next;
        next = (next + 1) % nDev;
        const c = connOf(n);
        if (inflight[c]! >= MAX_INFLIGHT) continue;
        tries = 0;
        const ts = (lastTs[n] = Math.max(Date.now(), lastTs[n]! + 1));
        const s = seq[n]!++;
        if (!first) first = ts;
        const q = queued[c]!;
        q.buf[(q.head + q.size) % MAX_INFLIGHT] = storeAll ? traces.fieldsPerMessage : traces.stored(n, ts, s);
        q.size++;
        ids[c] = (ids[c]! % 65535) + 1;
        socks[c]!.write(publishPacket(n, traces.payload(n, ts, s), ids[c]!));
        inflight[c]!++;
        sent++;
        k--;
      }
      if (perConnection) for (const s of socks) s.uncork();
    }, tickMs);
  });
  const sendSeconds = (Date.now() - start) / 1000;
  for (let i = 0; i < 100 && acked < sent; i++) await new Promise((r) => setTimeout(r, 100));
  let last = 0;
  for (const t of lastTs) if (t > last) last = t;
  const fields = acked * traces.fieldsPerMessage;
  process.stdout.write(`${JSON.stringify({ sent, acked, seconds: sendSeconds, first, last, fields, expected, ...(unexpected ? { unexpected } : {}) })}\n`);
}

let pending = '';
let queue = Promise.resolve();
process.stdin.on('data', (b: Buffer) => {
  pending += b.toString();
  let nl: number;
  while ((nl = pending.indexOf('\n')) >= 0) {
    const [rate, seconds] = pending.slice(0, nl).trim().split(/\s+/).map(Number);
    pending = pending.slice(nl + 1);
    queue = queue.then(() => step(rate!, seconds!));
  }
});
process.stdin.on('end', () => void queue.then(() => {
  for (const s of socks) s.destroy();
  process.exit(0);
}));
