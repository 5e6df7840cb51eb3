import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/** What a fake provider endpoint received, after checking it like the real service would. */
export interface ReceivedSms {
  provider: 'aliyun' | 'twilio';
  to: string;
  /** Aliyun: template code and params; Twilio: the text */
  templateCode?: string;
  signName?: string;
  params?: Record<string, string>;
  text?: string;
  at: number;
  messageId: string;
}

/** A scripted answer for the next requests: a business error, an HTTP error, or a dropped connection. */
export type FakeFailure = { kind: 'business'; code: string; message?: string } | { kind: 'http'; status: number; code?: string | number; message?: string } | { kind: 'drop' };

export interface FakeProviderBase {
  url: string;
  received: ReceivedSms[];
  /** every request, including refused ones */
  attempts: number;
  /** the next `times` requests get `failure` */
  failNext(failure: FakeFailure, times?: number): void;
  /** every request to this number gets `failure` (e.g. an invalid number) */
  failFor(phone: string, failure: FakeFailure): void;
  /** until cleared with undefined, each request not scripted otherwise asks `pick` (e.g. fail every other one); it gets the number asked for */
  failWith(pick: ((phone: string) => FakeFailure | undefined) | undefined): void;
  /** artificial latency of every answer, ms */
  delayMs: number;
  waitFor(count: number, timeoutMs?: number, filter?: (r: ReceivedSms) => boolean): Promise<ReceivedSms[]>;
  close(): Promise<void>;
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json;charset=utf-8', 'content-length': Buffer.byteLength(text) }).end(text);
}

export async function listen(server: Server, port = 0): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  return addr.port;
}

/** The failure scripting and waiting shared by both fakes. */
export function failureScript() {
  const queue: FakeFailure[] = [];
  const perPhone = new Map<string, FakeFailure>();
  let picker: ((phone: string) => FakeFailure | undefined) | undefined;
  return {
    failWith(pick: ((phone: string) => FakeFailure | undefined) | undefined) {
      picker = pick;
    },
    failNext(f: FakeFailure, times = 1) {
      for (let i = 0; i < times; i++) queue.push(f);
    },
    failFor(phone: string, f: FakeFailure) {
      perPhone.set(phone.replace(/^\+?86/, ''), f);
    },
    take(phone: string): FakeFailure | undefined {
      return perPhone.get(phone.replace(/^\+?86/, '')) ?? queue.shift() ?? picker?.(phone);
    },
  };
}

export function waiter(received: ReceivedSms[]) {
  return async (count: number, timeoutMs = 10_000, filter: (r: ReceivedSms) => boolean = () => true) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hits = received.filter(filter);
      if (hits.length >= count) return hits;
      if (Date.now() > deadline) throw new Error(`expected ${count} SMS, got ${hits.length} after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
}

export function createFakeServer(handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server {
  return createServer((req, res) => {
    handler(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { message: String(err) });
    });
  });
}
