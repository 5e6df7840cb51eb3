import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixture, waitFor, type Fixture } from './helpers/relay-fixture.js';

// HLS players poll on a kept-alive connection; one whose poll comes a little late must not find it closed
// (Node's default closes an idle connection after 5 s: the late request then meets a reset).
let f: Fixture;
beforeAll(async () => {
  f = await startFixture();
});
afterAll(async () => {
  await f?.stop();
});

function request(socket: Socket, received: () => string): Promise<string> {
  const before = received().length;
  socket.write('GET /no-such-path HTTP/1.1\r\nHost: relay\r\n\r\n');
  return waitFor(() => /\r\n\r\n/.test(received().slice(before)), 5000).then(() => received().slice(before));
}

describe('the relay keeps an idle player connection open', () => {
  it('answers a second request on the same connection after 6 s idle', async () => {
    const socket = connect(f.httpPort, '127.0.0.1');
    let text = '';
    let closedAt = 0;
    socket.setEncoding('latin1').on('data', (d: string) => (text += d));
    socket.on('close', () => (closedAt = Date.now()));
    await new Promise((r) => socket.once('connect', r));
    expect(await request(socket, () => text)).toMatch(/^HTTP\/1\.1 404/);
    // idle past Node's default keep-alive timeout: the socket must still be open
    await new Promise((r) => setTimeout(r, 6000));
    expect(closedAt).toBe(0);
    expect(await request(socket, () => text)).toMatch(/^HTTP\/1\.1 404/);
    socket.destroy();
  }, 20_000);
});
