/**
 * Load generator for the broker benchmark (run pinned to its own core). Raw sockets and precomputed packets,
 * so the generator costs far less per message than the broker it measures.
 *   fanin: <port> <qos> <rate> <seconds> <publishers> <secret>  → JSON {sent, acked, delivered, seconds}
 *   conns: <port> <count> <secret>                               → holds idle device connections until stdin closes
 */
import { connect, type Socket } from 'node:net';
import mqttPacket from 'mqtt-packet';

const [mode, portS, ...rest] = process.argv.slice(2);
const port = Number(portS);
const deviceId = (i: number) => `EL-${String(i).padStart(6, '0')}`;

function open(clientId: string, username: string, password: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    s.setNoDelay(true);
    s.once('error', reject);
    s.once('connect', () => {
      s.write(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId, keepalive: 0, username, password: Buffer.from(password) }));
    });
    s.once('data', (b: Buffer) => {
      if (b[0] !== 0x20 || b[3] !== 0) return reject(new Error(`CONNACK refused for ${clientId}: code ${b[3]}`));
      s.removeListener('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
  });
}

/** Walks MQTT packets in a byte stream; calls onPacket(firstByte, body). */
function packetReader(onPacket: (first: number, body: Buffer) => void): (chunk: Buffer) => void {
  let buf: Buffer = Buffer.alloc(0);
  return (chunk) => {
    buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
    let o = 0;
    for (;;) {
      if (buf.length - o < 2) break;
      let len = 0, mul = 1, i = o + 1, b;
      do {
        if (i >= buf.length) { len = -1; break; }
        b = buf[i++] as number;
        len += (b & 127) * mul;
        mul *= 128;
      } while (b & 128);
      if (len < 0 || i + len > buf.length) break;
      onPacket(buf[o] as number, buf.subarray(i, i + len));
      o = i + len;
    }
    buf = o >= buf.length ? Buffer.alloc(0) : buf.subarray(o);
  };
}

async function fanin(): Promise<void> {
  const [qosS, rateS, secondsS, pubsS, secret, subUser, subPass] = rest as string[];
  const qos = Number(qosS), rate = Number(rateS), seconds = Number(secondsS), nPubs = Number(pubsS);
  let delivered = 0, acked = 0, sent = 0;
  const sub = await open(`svc:ingest:bench-${process.pid}`, subUser as string, subPass as string);
  const pubacks: Buffer[] = [];
  let flushPending = false;
  sub.on('data', packetReader((first, body) => {
    if (first >> 4 !== 3) return;
    delivered++;
    if (((first >> 1) & 3) === 1) {
      const tl = body.readUInt16BE(0);
      pubacks.push(Buffer.from([0x40, 2, body[2 + tl] as number, body[3 + tl] as number]));
      if (!flushPending) {
        flushPending = true;
        setImmediate(() => { flushPending = false; sub.write(Buffer.concat(pubacks.splice(0))); });
      }
    }
  }));
  await new Promise<void>((resolve) => {
    sub.write(mqttPacket.generate({ cmd: 'subscribe', messageId: 1, subscriptions: [{ topic: 'tw/v1/+/+/telemetry', qos: qos as 0 | 1 }] }));
    setTimeout(resolve, 300);
  });
  const pubs = await Promise.all(Array.from({ length: nPubs }, (_, i) => open(deviceId(i), deviceId(i), secret as string)));
  const inflight = new Array<number>(nPubs).fill(0);
  const blocked = new Array<boolean>(nPubs).fill(false);
  const MAX_INFLIGHT = 1000;
  pubs.forEach((s, n) => {
    s.on('data', packetReader((first) => { if (first >> 4 === 4) { acked++; inflight[n]!--; } }));
    s.on('drain', () => (blocked[n] = false));
  });
  // Precomputed packets (16 payload variants per publisher): the generator must cost far less per message
  // than the brokers it measures. For QoS 1 the packet identifier is patched in place.
  const VARIANTS = 16;
  const templates = pubs.map((_, n) => {
    const topic = `tw/v1/elevator/${deviceId(n)}/telemetry`;
    return Array.from({ length: VARIANTS }, (_, i) => {
      const payload = JSON.stringify({ ts: Date.now(), floor: (i % 30) + 1, dir: 'up', speed: 1.75, door: 'closed', load: 42, mode: 1, power: true, run: 123456 + i, hours: 7890, seq: i, dev: n }).padEnd(200, ' ');
      const buf = mqttPacket.generate({ cmd: 'publish', topic, payload, qos: qos as 0 | 1, retain: false, dup: false, ...(qos ? { messageId: 1 } : {}) });
      // fixed header (1 + 2-byte length for ~250 bytes) + 2 + topic: the packet identifier follows the topic
      return { buf, idAt: 3 + 2 + Buffer.byteLength(topic) };
    });
  });
  let mid = 1;
  const tickMs = 10;
  const perTick = rate * tickMs / 1000;
  let carry = 0;
  process.stdout.write('S\n');
  const start = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (Date.now() - start >= seconds * 1000) { clearInterval(timer); return resolve(); }
      carry += perTick;
      const total = Math.floor(carry);
      carry -= total;
      const each = Math.floor(total / nPubs), extra = total % nPubs;
      for (let n = 0; n < nPubs; n++) {
        let k = each + (n < extra ? 1 : 0);
        if (blocked[n]) continue;
        if (qos === 1) k = Math.min(k, MAX_INFLIGHT - inflight[n]!);
        if (k <= 0) continue;
        const t = templates[n]!;
        const size = t[0]!.buf.length;
        const out = Buffer.allocUnsafe(size * k);
        for (let j = 0; j < k; j++) {
          const v = t[(sent + j) % VARIANTS]!;
          v.buf.copy(out, j * size);
          if (qos === 1) { mid = (mid % 65535) + 1; out.writeUInt16BE(mid, j * size + v.idAt); }
        }
        sent += k;
        if (qos === 1) inflight[n]! += k;
        if (!pubs[n]!.write(out)) blocked[n] = true;
      }
    }, tickMs);
  });
  const sendSeconds = (Date.now() - start) / 1000;
  process.stdout.write('E\n');
  const deliveredAtEnd = delivered;
  // drain: let what was accepted arrive (QoS 1 loss = acknowledged but never delivered)
  // done when everything acknowledged (QoS 1) or sent (QoS 0) arrived, or nothing arrived for 10 s (max 60 s)
  let last = -1, quietSince = Date.now();
  for (const end = Date.now() + 60_000; Date.now() < end; ) {
    if (delivered >= (qos === 1 ? Math.max(acked, 1) : sent)) break;
    if (delivered !== last) { last = delivered; quietSince = Date.now(); if (process.env.LOADGEN_TRACE) process.stderr.write(`${Date.now() - start} ${delivered}\n`); }
    else if (Date.now() - quietSince > Number(process.env.LOADGEN_QUIET_MS ?? 10_000)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  process.stdout.write(JSON.stringify({ sent, acked, delivered, deliveredAtEnd, seconds: sendSeconds }) + '\n');
  for (const s of [...pubs, sub]) s.destroy();
}

async function conns(): Promise<void> {
  const [countS, secret] = rest as string[];
  const count = Number(countS);
  const held: Socket[] = [];
  for (let i = 0; i < count; i += 200) {
    const batch = await Promise.allSettled(Array.from({ length: Math.min(200, count - i) }, (_, j) => open(deviceId(i + j), deviceId(i + j), secret as string)));
    for (const r of batch) if (r.status === 'fulfilled') held.push(r.value);
  }
  process.stdout.write(JSON.stringify({ held: held.length }) + '\n');
  process.stdin.resume();
  process.stdin.on('end', () => { for (const s of held) s.destroy(); process.exit(0); });
}

(mode === 'fanin' ? fanin() : conns()).catch((err: unknown) => {
  process.stderr.write(String((err as Error).stack ?? err) + '\n');
  process.exit(1);
});
