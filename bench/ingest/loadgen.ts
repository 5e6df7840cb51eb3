/**
 * Simulated elevators publishing valid telemetry through the broker at QoS 1 (raw sockets and mqtt-packet,
 * so that the generator costs little next to what it measures). Each device's timestamps strictly increase,
 * so every message is its own InfluxDB point and "points readable = messages acknowledged" means zero loss.
 *   <port> <devices> <secret>: connects the fleet once and prints {"connected": n}; then each stdin line
 *   "<rate> <seconds>" runs one step and prints JSON {sent, acked, seconds, first, last}; stdin closed → disconnect, exit.
 * The fleet stays connected across steps, as real devices do: connecting and dropping 5,000 devices per step
 * cost the broker and ingest (presence updates) several seconds of CPU that the step's messages were charged for.
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

const [portS, devicesS, secret] = process.argv.slice(2) as string[];
const port = Number(portS), nDev = Number(devicesS);
const deviceId = (i: number) => `EB-${String(i).padStart(6, '0')}`;
const MAX_INFLIGHT = 200;

function open(n: number): Promise<Socket> {
  const id = deviceId(n);
  return new Promise((resolve, reject) => {
    let connacked = false;
    const s = connect({
      port,
      host: '127.0.0.1',
      onread: {
        buffer: () => readBuffer,
        callback: (bytes: number, buf: Uint8Array) => {
          if (connacked) {
            // after the 4-byte CONNACK the broker sends this device nothing but 4-byte PUBACKs
            if (partial[n] === 0 && buf[0] !== 0x40) unexpected++;
            onAcks(n, bytes);
            return true;
          }
          if (buf[0] !== 0x20 || buf[3] !== 0) {
            reject(new Error(`CONNACK refused for ${id}: ${buf[3]}`));
            return false;
          }
          connacked = true;
          s.removeListener('error', reject);
          s.on('error', () => {});
          if (bytes > 4) onAcks(n, bytes - 4);
          resolve(s);
          return true;
        },
      },
    });
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('connect', () => s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: id, keepalive: 0, username: id, password: Buffer.from(secret!) })));
  });
}

const inflight = new Array<number>(nDev).fill(0);
const lastTs = new Array<number>(nDev).fill(0);
const seq = new Array<number>(nDev).fill(0);
let sent = 0, acked = 0, unexpected = 0;
// PUBACK is 4 bytes (0x40 0x02 id id): count them without a parser, straight from the socket's read buffer
// (net's `onread`: no Buffer per read and no 'data' event, ≈ 3 µs less of the generator's CPU per message)
const readBuffer = Buffer.allocUnsafe(64 * 1024);
const partial = new Array<number>(nDev).fill(0);
function onAcks(n: number, bytes: number): void {
  const total = partial[n]! + bytes;
  const whole = total >> 2;
  acked += whole;
  inflight[n]! -= whole;
  partial[n] = total & 3;
}
const socks: Socket[] = [];
for (let i = 0; i < nDev; i += 100) socks.push(...(await Promise.all(Array.from({ length: Math.min(100, nDev - i) }, (_, j) => open(i + j)))));
process.stdout.write(`${JSON.stringify({ connected: socks.length })}\n`);
// The payload as a template: the same JSON text JSON.stringify gives for this object, without building the object.
const payload = (n: number) => {
  const ts = (lastTs[n] = Math.max(Date.now(), lastTs[n]! + 1));
  const i = seq[n]!++;
  return `{"ts":${ts},"seq":${i},"floor":${(i % 30) + 1},"direction":"up","speed":1.75,"door":"closed","doorZone":false,"passenger":true,"mode":1,"power":"mains","runCount":${123456 + i},"runHours":7890.5,"load":42}`;
};
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

let mid = 1;
const tickMs = 10;

/** Publishes `rate` messages/s for `seconds` s, paced by the clock, then waits (≤ 10 s) for the acknowledgements. */
async function step(rate: number, seconds: number) {
  sent = 0;
  acked = 0;
  const start = Date.now();
  let first = 0;
  await new Promise<void>((resolve) => {
    let next = 0;
    const timer = setInterval(() => {
      if (Date.now() - start >= seconds * 1000) { clearInterval(timer); return resolve(); }
      // due by the clock, not by ticks: a starved timer must not lower the offered rate
      let k = Math.floor(((Date.now() - start) * rate) / 1000) - sent;
      // one write per message, as a real device sends one message per segment (a device that is due twice in
      // one tick, above 100 messages per device per second, writes twice)
      for (let tries = 0; k > 0 && tries < nDev; tries++) {
        const n = next;
        next = (next + 1) % nDev;
        if (inflight[n]! >= MAX_INFLIGHT) continue;
        tries = 0;
        const p = payload(n);
        if (!first) first = lastTs[n]!;
        socks[n]!.write(publishPacket(n, p, (mid = (mid % 65535) + 1)));
        inflight[n]!++;
        sent++;
        k--;
      }
    }, tickMs);
  });
  const sendSeconds = (Date.now() - start) / 1000;
  for (let i = 0; i < 100 && acked < sent; i++) await new Promise((r) => setTimeout(r, 100));
  let last = 0;
  for (const t of lastTs) if (t > last) last = t;
  process.stdout.write(`${JSON.stringify({ sent, acked, seconds: sendSeconds, first, last, ...(unexpected ? { unexpected } : {}) })}\n`);
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
