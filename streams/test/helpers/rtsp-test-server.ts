import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { readFile, rm } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort, tempDir } from '@tianwang/core/testing';

/**
 * A minimal RTSP camera for tests (Debian has no RTSP server package and ffmpeg's RTSP output cannot
 * listen): a real ffmpeg encodes the test picture to RTP over UDP with an SDP file, and this server
 * answers OPTIONS / DESCRIBE / SETUP / PLAY / TEARDOWN and forwards the RTP packets interleaved over the
 * client's TCP connection (RTP/AVP/TCP, what `-rtsp_transport tcp` asks for). Counts clients, so a
 * test can see the relay connect on demand and disconnect when idle.
 */
export interface RtspCamera {
  url: string;
  /** RTSP clients connected now */
  clients(): number;
  /** clients that ever reached PLAY */
  plays(): number;
  stop(): Promise<void>;
}

export async function startRtspCamera(source = 'testsrc2=size=320x180:rate=10', opts: { port?: number; path?: string } = {}): Promise<RtspCamera> {
  const dir = await tempDir('rtsp');
  const sdpFile = join(dir, 'cam.sdp');
  const rtpPort = await freePort();
  const rtspPort = opts.port ?? (await freePort());
  const udp: UdpSocket = createSocket('udp4');
  await new Promise<void>((resolve) => udp.bind(rtpPort, '127.0.0.1', () => resolve()));
  const playing = new Set<Socket>();
  const all = new Set<Socket>();
  let playCount = 0;
  udp.on('message', (pkt) => {
    const head = Buffer.from([0x24, 0, (pkt.length >> 8) & 0xff, pkt.length & 0xff]);
    for (const s of playing) if (!s.destroyed) s.write(Buffer.concat([head, pkt]));
  });
  const ffmpeg: ChildProcess = spawn(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', source, '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-pix_fmt', 'yuv420p',
      '-bsf:v', 'dump_extra', '-payload_type', '96', '-sdp_file', sdpFile, '-f', 'rtp', `rtp://127.0.0.1:${rtpPort}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const killOnExit = () => ffmpeg.kill('SIGKILL');
  process.once('exit', killOnExit);
  let sdp = '';
  for (let i = 0; i < 100 && !sdp.includes('m=video'); i++) {
    await new Promise((r) => setTimeout(r, 100));
    sdp = await readFile(sdpFile, 'utf8').catch(() => '');
  }
  if (!sdp.includes('m=video')) throw new Error('test RTSP camera: ffmpeg wrote no SDP');
  const url = `rtsp://127.0.0.1:${rtspPort}${opts.path ?? '/cam'}`;
  const described = sdp
    .replace(/\r?\n/g, '\r\n')
    .replace(/c=IN IP4 [^\r]+/, 'c=IN IP4 0.0.0.0')
    .replace(/m=video \d+ RTP\/AVP (\d+)/, 'm=video 0 RTP/AVP $1')
    .replace(/(m=video[^\r]*\r\n)/, '$1a=control:track0\r\n')
    .trimEnd() + '\r\n';

  const server: Server = createServer((socket) => {
    all.add(socket);
    socket.on('close', () => (all.delete(socket), playing.delete(socket)));
    socket.on('error', () => socket.destroy());
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (let end = buf.indexOf('\r\n\r\n'); end >= 0; end = buf.indexOf('\r\n\r\n')) {
        const request = buf.slice(0, end);
        buf = buf.slice(end + 4);
        const [line, ...headers] = request.split('\r\n');
        const method = (line ?? '').split(' ')[0];
        const cseq = headers.find((h) => /^cseq:/i.test(h))?.split(':')[1]?.trim() ?? '0';
        const reply = (extra: string[], body = '') =>
          socket.write(['RTSP/1.0 200 OK', `CSeq: ${cseq}`, ...extra, `Content-Length: ${Buffer.byteLength(body)}`, '', body].join('\r\n'));
        if (method === 'OPTIONS') reply(['Public: OPTIONS, DESCRIBE, SETUP, PLAY, TEARDOWN, GET_PARAMETER']);
        else if (method === 'DESCRIBE') reply(['Content-Type: application/sdp', `Content-Base: ${url}/`], described);
        else if (method === 'SETUP') reply(['Transport: RTP/AVP/TCP;unicast;interleaved=0-1', 'Session: 12345678;timeout=60']);
        else if (method === 'PLAY') {
          reply(['Session: 12345678', 'Range: npt=0.000-']);
          playing.add(socket);
          playCount++;
        } else if (method === 'TEARDOWN') {
          reply(['Session: 12345678']);
          playing.delete(socket);
        } else reply(['Session: 12345678']);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(rtspPort, '127.0.0.1', () => resolve()));
  return {
    url,
    clients: () => all.size,
    plays: () => playCount,
    async stop() {
      for (const s of all) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      udp.close();
      process.removeListener('exit', killOnExit);
      ffmpeg.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    },
  };
}
