import { afterEach, describe, expect, it } from 'vitest';
import { createServer, connect, type Socket } from 'node:net';
import { once } from 'node:events';
import { WebSocket, WebSocketServer } from 'ws';
import { WriteBatcher, type BatchedSession } from '../src/rtmp/write-batcher.js';
import { sleep, waitFor } from '@tianwang/core/testing';

// Real sockets on loopback: what a player receives, and when.
const closers: (() => void)[] = [];
afterEach(() => closers.splice(0).forEach((c) => c()));

async function socketPair(): Promise<{ server: Socket; client: Socket; received: Buffer[] }> {
  const srv = createServer();
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  const port = (srv.address() as { port: number }).port;
  const client = connect(port, '127.0.0.1');
  const [server] = (await once(srv, 'connection')) as [Socket];
  const received: Buffer[] = [];
  client.on('data', (b: Buffer) => received.push(b));
  closers.push(() => (client.destroy(), server.destroy(), srv.close()));
  return { server, client, received };
}

function session(protocol: string, io: Pick<BatchedSession, 'socket' | 'res'>): BatchedSession {
  const s: BatchedSession = { id: 'p1', protocol, outBytes: 0, sendBuffer: () => { throw new Error('unbatched write'); }, ...io };
  return s;
}

const packets = [1, 2, 3, 4, 5].map((i) => Buffer.alloc(1000, i));

describe('write batcher', () => {
  it('holds a player’s packets for the interval, then writes them all, in order, with the byte counters kept', async () => {
    const { server, received } = await socketPair();
    const network = { outBytes: 0 };
    const batcher = new WriteBatcher(150, network);
    const s = session('rtmp', { socket: server });
    expect(batcher.install(s)).toBe(true);
    packets.forEach((p) => s.sendBuffer(p));
    expect(s.outBytes).toBe(5000);
    expect(network.outBytes).toBe(5000);
    await sleep(60); // well inside the 150 ms interval: nothing may have been written yet
    expect(Buffer.concat(received).length).toBe(0);
    await waitFor(() => Buffer.concat(received).length === 5000, { what: 'the batch written' });
    expect(Buffer.concat(received)).toEqual(Buffer.concat(packets));
    batcher.stop();
  });

  it('sends a WebSocket player its queued FLV tags as one message, in order', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await once(wss, 'listening');
    const client = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    const [ws] = (await once(wss, 'connection')) as [WebSocket];
    await once(client, 'open');
    closers.push(() => (client.terminate(), wss.close()));
    const messages: Buffer[] = [];
    client.on('message', (d: Buffer) => messages.push(d));
    const batcher = new WriteBatcher(50, { outBytes: 0 });
    const s = session('flv', { res: ws });
    expect(batcher.install(s)).toBe(true);
    packets.forEach((p) => s.sendBuffer(p));
    await waitFor(() => Buffer.concat(messages).length === 5000, { what: 'the queued tags sent' });
    expect(messages).toHaveLength(1);
    expect(messages[0]).toEqual(Buffer.concat(packets));
    batcher.stop();
  });

  it('drops what is queued for a player that left, and writes directly when the interval is 0', async () => {
    const { server, received } = await socketPair();
    const batcher = new WriteBatcher(50, { outBytes: 0 });
    const s = session('rtmp', { socket: server });
    batcher.install(s);
    s.sendBuffer(packets[0]!);
    batcher.forget(s);
    await sleep(200);
    expect(received).toHaveLength(0);
    const direct = session('rtmp', { socket: server });
    const before = direct.sendBuffer;
    expect(new WriteBatcher(0, { outBytes: 0 }).install(direct)).toBe(false);
    expect(direct.sendBuffer).toBe(before);
  });
});
