import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TianwangError } from '@tianwang/core/errors';
import type { Simulator } from '../simulator.js';

export interface ControlServerOptions {
  /** 0 = any free port */
  port: number;
  /** loopback only by default: this API starts faults on real-looking devices */
  host?: string;
  /** bearer token; a random one when absent (printed by the CLI) */
  token?: string;
}

export interface ControlServer {
  start(): Promise<void>;
  stop(): Promise<void>;
  readonly url: string;
  readonly token: string;
}

const MAX_BODY = 16 * 1024;

/**
 * Live control while the fleet runs:
 *   GET    /devices                    every device, its connection, faults and latest reading
 *   GET    /devices/{id}
 *   GET    /stats                      the status-line figures
 *   POST   /faults {device, fault, seconds?}
 *   DELETE /faults/{device}/{fault}
 * "No anonymous access anywhere": every request needs `Authorization: Bearer <token>`.
 */
export function createControlServer(sim: Simulator, options: ControlServerOptions): ControlServer {
  const token = options.token ?? randomBytes(16).toString('hex');
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, { error: 'TW_UNEXPECTED', message: String(err) }));
  });
  let url = '';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!authorized(req.headers.authorization, token)) {
      res.setHeader('www-authenticate', 'Bearer');
      return send(res, 401, { error: 'TW_UNAUTHENTICATED', message: 'send Authorization: Bearer <token> (printed when the simulator started)' });
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname.replace(/\/+$/, '') || '/';
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      if (req.method === 'GET' && path === '/devices') return send(res, 200, sim.devices());
      if (req.method === 'GET' && parts[0] === 'devices' && parts.length === 2) return send(res, 200, sim.device(parts[1]!));
      if (req.method === 'GET' && path === '/stats') return send(res, 200, sim.stats());
      if (req.method === 'POST' && path === '/faults') {
        const body = await readJson(req);
        const { device, fault, seconds } = body as { device?: unknown; fault?: unknown; seconds?: unknown };
        if (typeof device !== 'string' || typeof fault !== 'string' || (seconds !== undefined && typeof seconds !== 'number')) {
          return send(res, 400, { error: 'TW_PAYLOAD_INVALID', message: 'body: {"device": "<id>", "fault": "<name>", "seconds": <number, optional>}' });
        }
        sim.injectFault(device, fault, seconds);
        return send(res, 201, { device, fault, ...(seconds !== undefined ? { seconds } : {}), state: 'injected' });
      }
      if (req.method === 'DELETE' && parts[0] === 'faults' && parts.length === 3) {
        sim.clearFault(parts[1]!, parts[2]!);
        return send(res, 200, { device: parts[1], fault: parts[2], state: 'cleared' });
      }
      return send(res, 404, { error: 'TW_NOT_FOUND', message: `no route ${req.method} ${path}` });
    } catch (err) {
      if (err instanceof TianwangError) return send(res, err.status, { error: err.code, message: err.message });
      if (err instanceof SyntaxError) return send(res, 400, { error: 'TW_PAYLOAD_INVALID', message: `body is not JSON: ${err.message}` });
      throw err;
    }
  }

  return {
    get url() {
      return url;
    },
    token,
    async start() {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(options.port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
      url = `http://${host}:${(server.address() as AddressInfo).port}`;
    },
    async stop() {
      if (!server.listening) return;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function authorized(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '');
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new SyntaxError('body larger than 16 KiB');
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}
