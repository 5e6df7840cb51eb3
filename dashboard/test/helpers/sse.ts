import { request, type ClientRequest } from 'node:http';

export interface SseEvent {
  event: string;
  data: unknown;
  at: number;
}

export interface SseStream {
  status: number;
  events: SseEvent[];
  comments: string[];
  /** resolves with the first event (already received or to come) that matches, or rejects after timeoutMs */
  waitFor(pred: (e: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  ended: Promise<void>;
  close(): void;
}

/** A minimal EventSource over node:http: real socket, parses `event:`/`data:` blocks. */
export function openSse(url: string, headers: Record<string, string>): Promise<SseStream> {
  return new Promise((resolve, reject) => {
    let req: ClientRequest | undefined = undefined;
    const events: SseEvent[] = [];
    const comments: string[] = [];
    const waiters = new Set<{ pred: (e: SseEvent) => boolean; done: (e: SseEvent) => void }>();
    let endResolve: () => void = () => {};
    const ended = new Promise<void>((r) => (endResolve = r));
    req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buf += chunk;
        let i: number;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (!data.length) continue;
          const e = { event, data: JSON.parse(data.join('\n')) as unknown, at: Date.now() };
          events.push(e);
          for (const w of [...waiters]) {
            if (!w.pred(e)) continue;
            waiters.delete(w);
            w.done(e);
          }
        }
      });
      res.on('end', endResolve);
      res.on('close', endResolve);
      resolve({
        status: res.statusCode ?? 0,
        events,
        comments,
        ended,
        waitFor(pred, timeoutMs = 10_000) {
          const hit = events.find(pred);
          if (hit) return Promise.resolve(hit);
          return new Promise((ok, fail) => {
            const w = {
              pred,
              done: (e: SseEvent) => {
                clearTimeout(t);
                ok(e);
              },
            };
            const t = setTimeout(() => {
              waiters.delete(w);
              fail(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(events).slice(0, 500)}`));
            }, timeoutMs);
            waiters.add(w);
          });
        },
        close: () => req?.destroy(),
      });
    });
    req.on('error', reject);
    req.end();
  });
}
