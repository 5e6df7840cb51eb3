import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { WebSocket } from 'ws';

/**
 * Batched writes to players. node-media-server writes every packet to every player at once: one write
 * syscall per frame per player (25 a second per player at 25 fps), and on loopback and LAN sockets those
 * syscalls are nearly all of the relay's CPU (a profile at 100 players: ~90 % of busy time in writeBuffer).
 * Here a player's packets are queued and written together every `intervalMs` (one writev per player per
 * interval), trading at most `intervalMs` of added delay for fewer syscalls (media servers such as SRS do
 * the same: "merged write"). Order is kept (one queue per player); byte counters are updated at queueing
 * time as node-media-server does. The header and GOP burst a new player gets goes through the same queue.
 */
export interface BatchedSession {
  id: string;
  protocol: string;
  outBytes: number;
  sendBuffer: (buffer: Buffer) => void;
  /** RTMP sessions */
  socket?: Socket;
  /** FLV sessions: an HTTP response or a WebSocket */
  res?: ServerResponse | WebSocket;
}

export interface NetworkCounters {
  outBytes: number;
}

/** What one flush does with a player's queue: cork + writes + uncork (one writev), or one WebSocket message. */
type Sink = (chunks: Buffer[]) => void;

function sinkOf(session: BatchedSession): Sink | null {
  const { socket, res } = session;
  if (session.protocol === 'rtmp' && socket) {
    return (chunks) => {
      if (socket.destroyed || !socket.writable) return;
      socket.cork();
      for (const c of chunks) socket.write(c);
      socket.uncork();
    };
  }
  if (session.protocol === 'flv' && res instanceof WebSocket) {
    // FLV over WebSocket is a byte stream to its players (mpegts.js, flv.js): tags may share a message
    return (chunks) => {
      if (res.readyState === WebSocket.OPEN) res.send(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
    };
  }
  if (session.protocol === 'flv' && res && !(res instanceof WebSocket)) {
    return (chunks) => {
      if (res.writableEnded || res.destroyed) return;
      res.cork();
      for (const c of chunks) res.write(c);
      res.uncork();
    };
  }
  return null;
}

export class WriteBatcher {
  private readonly queues = new Map<BatchedSession, { sink: Sink; chunks: Buffer[] }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly intervalMs: number,
    private readonly network: NetworkCounters,
  ) {}

  /** Routes a player's sendBuffer through the batcher; call before node-media-server sends it anything. */
  install(session: BatchedSession): boolean {
    if (this.intervalMs <= 0) return false;
    const sink = sinkOf(session);
    if (!sink) return false;
    session.sendBuffer = (buffer) => {
      session.outBytes += buffer.length;
      this.network.outBytes += buffer.length;
      let q = this.queues.get(session);
      if (!q) {
        q = { sink, chunks: [] };
        this.queues.set(session, q);
      }
      q.chunks.push(buffer);
      this.timer ??= setTimeout(this.flush, this.intervalMs);
    };
    return true;
  }

  /** Writes every queued packet now (the timer's job; also on stop). */
  readonly flush = (): void => {
    this.timer = undefined;
    const queues = [...this.queues.values()];
    this.queues.clear();
    for (const q of queues) {
      try {
        q.sink(q.chunks);
      } catch {
        // a player whose socket failed between checks: its close handler cleans up, the others still get theirs
      }
    }
  };

  /** A player left: what is still queued for it would go to a closing socket. */
  forget(session: BatchedSession): void {
    this.queues.delete(session);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.flush();
  }
}
