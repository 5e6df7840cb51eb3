import { Writable, type Duplex } from 'node:stream';

/**
 * Coalesces a connection's writes into one system call per event-loop turn. aedes delivers each message in
 * its own setImmediate and mqtt-packet corks only until the next tick, so a subscriber receiving 100,000
 * messages/s would otherwise cost 100,000 writev calls/s. Holding the cork until the next turn's check phase
 * batches everything written in between (a few hundred messages under load) into one writev; an idle
 * connection's single packet waits at most one turn.
 */
const held = new Set<Duplex>();
let releaseScheduled = false;
const plainWrite = Writable.prototype.write;

function releaseAll(): void {
  releaseScheduled = false;
  const streams = [...held];
  held.clear();
  for (const s of streams) if (!s.destroyed) s.uncork();
}

/** A shared function, not a closure per connection: 20,000 idle devices must stay cheap. */
function coalescedWrite(this: Duplex, ...args: Parameters<Duplex['write']>): boolean {
  if (!held.has(this)) {
    held.add(this);
    this.cork();
    if (!releaseScheduled) {
      releaseScheduled = true;
      setImmediate(releaseAll);
    }
  }
  return plainWrite.apply(this, args as Parameters<Writable['write']>);
}

export function coalesceWrites(stream: Duplex): void {
  if (typeof stream.cork !== 'function' || stream.write !== plainWrite) return;
  deepenWriteBuffer(stream);
  stream.write = coalescedWrite as Duplex['write'];
}

/**
 * Outgoing buffer before backpressure: 1 MB instead of Node's 16 KB. A subscriber receiving the whole fleet's
 * telemetry needs a deeper pipe (with 16 KB every burst makes the publishers wait for a drain round trip); the
 * buffer fills only when a reader is slow, so idle connections do not pay for it. Only the writable side:
 * a deeper read side would let each publisher put thousands of packets in flight at once. Node accepts this
 * option only at construction, and the server constructs accepted sockets, hence the stream state.
 */
export const WRITE_HIGH_WATER_MARK = 1024 * 1024;

function deepenWriteBuffer(stream: Duplex): void {
  const state = (stream as unknown as { _writableState?: { highWaterMark?: number } })._writableState;
  if (state && typeof state.highWaterMark === 'number') state.highWaterMark = WRITE_HIGH_WATER_MARK;
}
