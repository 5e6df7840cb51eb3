import type { Redis } from 'ioredis';
import type { ShadowWriter } from '@tianwang/ingest';
import type { SseStream } from './sse.js';
import type { Dashboard } from '../../src/index.js';
import type { Login } from './world.js';

type Batch = Parameters<ShadowWriter['queue']>[1];
export type ReportBody = Batch[number] extends infer V ? (V extends { ok: true; body: infer B } ? B : never) : never;
export interface DeviceFacts { unitId: string; districtId: string; kind: 'elevator' | 'boiler' }

/** One patch of a live `patch` event (docs/dashboard.md "Live updates"), with when its event arrived. */
export type Patch = { id: string; at: number } & Record<string, unknown>;

/** What ingest does for a valid message: the shadow script (hash, pub/sub feed, change stream), through ingest's own writer. */
export function reporter(redis: Redis, writer: ShadowWriter, devices: Record<string, DeviceFacts>) {
  return async (id: string, body: ReportBody, ts = Date.now()): Promise<void> => {
    const d = devices[id]!;
    const v = { ok: true as const, device: { id, kind: d.kind, enabled: true, unitId: d.unitId, districtId: d.districtId, tagSet: '' }, ts, sub: 0, clockSkew: false, receivedAt: ts, body };
    const pipe = redis.pipeline();
    // queue() prepares the script call, send() puts it on the pipeline (ingest resends it the same way after a gate wait)
    writer.queue(pipe, [v] as Batch)?.send(pipe);
    await pipe.exec();
  };
}

export const elevatorReading = (floor: number): ReportBody => ({ channel: 'telemetry', value: { floor, direction: 'up', speed: 1.2, door: 'closed', doorZone: false, passenger: true, mode: 1, power: 'normal', runCount: 10, runHours: 1.5, load: 30 } }) as ReportBody;
export const statusReport = (state: 'online' | 'offline'): ReportBody => ({ channel: 'status', value: { state } }) as ReportBody;

/** Every patch the stream received so far, in order. */
export const patchesOf = (s: SseStream): Patch[] => s.events.filter((e) => e.event === 'patch').flatMap((e) => (e.data as Patch[]).map((p) => ({ ...p, at: e.at })));

/** The first patch (received or to come) that matches. */
export async function waitForPatch(s: SseStream, pred: (p: Patch) => boolean, timeoutMs?: number): Promise<Patch> {
  const e = await s.waitFor((ev) => ev.event === 'patch' && (ev.data as Patch[]).some(pred), timeoutMs);
  return { ...(e.data as Patch[]).find(pred)!, at: e.at };
}

/** Whether a patch carries any of a row's telemetry. */
export const hasTelemetry = (p: Patch) => 'telemetry' in p || 'tm' in p || 'telemetryTs' in p;

/** The stream id its `ready` event carries. */
export async function streamIdOf(s: SseStream): Promise<string> {
  const ready = await s.waitFor((e) => e.event === 'ready');
  return (ready.data as { stream: string }).stream;
}

/** POST /api/v1/live/watch for a stream, as a browser does for the rows it shows (answers the status). */
export async function postWatch(d: Dashboard, who: Login, body: { stream: string; ids: string[] }, csrf = true): Promise<number> {
  const res = await d.app.inject({ method: 'POST', url: '/api/v1/live/watch', headers: who.headers(csrf), payload: body });
  return res.statusCode;
}
