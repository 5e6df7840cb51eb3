import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { UserError } from '@tianwang/core/errors';
import type { EventRow } from '@tianwang/ingest';
import type { ApiContext } from '../context.js';
import { listOf } from '../list.js';
import { route } from '../route.js';
import { IdParams, TimeParam } from '../schema.js';
import { sendXlsx, xlsxTime, type Column } from '../xlsx.js';
import { requireDevice } from './access.js';

/** A chart never needs more points than a screen is wide: 2,000 at most (issue #15). */
export const MAX_POINTS = 2000;
const HOUR = 3_600_000;
/** the longest range one request may ask for (a year and a bit) */
const MAX_RANGE_MS = 400 * 24 * HOUR;

const HistoryQuery = z.object({
  from: TimeParam.optional().meta({ description: 'default: one hour before `to`' }),
  to: TimeParam.optional().meta({ description: 'default: now' }),
  fields: z.string().max(500).optional().meta({ description: 'comma-separated telemetry fields; default every field of the kind' }),
  points: z.coerce.number().int().min(1).max(MAX_POINTS).default(500),
});
const Value = z.union([z.number(), z.string()]).nullable();
const History = z.object({
  from: z.number(), to: z.number(), intervalMs: z.number().int(), fields: z.array(z.string()),
  points: z.array(z.object({ time: z.number().meta({ description: 'bucket start, ms' }), values: z.record(z.string(), Value) })).meta({
    description: 'one point per bucket over the whole range: a bucket without data has every value null (a gap)',
  }),
});
const EventsQuery = z.object({
  from: TimeParam.optional().meta({ description: 'default: 7 days before `to`' }),
  to: TimeParam.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  format: z.enum(['json', 'xlsx']).default('json'),
});
const Event = z.object({ time: z.number(), code: z.string(), state: z.string(), detail: z.record(z.string(), z.unknown()).nullable() });

export function parseTime(v: string | undefined, name: string, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new UserError('TW_PAYLOAD_INVALID', `${name} is not a time (epoch ms or ISO 8601)`);
  return n;
}

function range(q: { from?: string | undefined; to?: string | undefined }, defaultSpan: number): { from: number; to: number } {
  const to = parseTime(q.to, 'to', Date.now());
  const from = parseTime(q.from, 'from', to - defaultSpan);
  if (from >= to) throw new UserError('TW_PAYLOAD_INVALID', 'from must be before to');
  if (to - from > MAX_RANGE_MS) throw new UserError('TW_PAYLOAD_INVALID', 'the range may span 400 days at most');
  return { from, to };
}

const EVENT_COLUMNS: Column<EventRow>[] = [
  { header: '时间', value: (e) => xlsxTime(e.time), width: 20 },
  { header: '代码', value: (e) => e.code },
  { header: '状态', value: (e) => (e.state === 'raised' ? '发生' : e.state === 'cleared' ? '恢复' : e.state) },
  { header: '详情', value: (e) => (e.detail ? JSON.stringify(e.detail) : ''), width: 40 },
];

/** History charts and the fault/event list of one device, from InfluxDB. */
export function deviceHistoryRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, { method: 'GET', url: '/devices/:id/history', summary: 'Telemetry history, downsampled (GROUP BY time)', tags: ['devices'], params: IdParams, querystring: HistoryQuery, response: History }, async (req) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const { from, to } = range(req.query, HOUR);
    const fields = req.query.fields?.split(',').map((f) => f.trim()).filter(Boolean);
    const r = await ctx.history.series({ deviceId: device.id, kind: device.kind, from, to, points: req.query.points, ...(fields?.length ? { fields } : {}) });
    // the buckets start at `from` (history.ts aligns them there); the ones InfluxDB had nothing for are gaps
    const byTime = new Map(r.points.map((p) => [p.time, p.values]));
    const gap = Object.fromEntries(r.fields.map((f) => [f, null]));
    const points = [];
    for (let t = from; t < to; t += r.intervalMs) points.push({ time: t, values: byTime.get(t) ?? gap });
    return { from, to, intervalMs: r.intervalMs, fields: r.fields, points };
  });

  route(app, { method: 'GET', url: '/devices/:id/events', summary: 'Faults and events of the device, newest first', tags: ['devices'], params: IdParams, querystring: EventsQuery, response: listOf(Event), produces: ['application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'] }, async (req, reply) => {
    const device = await requireDevice(ctx, req, req.params.id);
    const { from, to } = range(req.query, 7 * 24 * HOUR);
    const rows = await ctx.history.events({ deviceId: device.id, kind: device.kind, from, to, limit: req.query.limit });
    if (req.query.format === 'xlsx') return sendXlsx(reply, { file: `events-${device.id}`, sheet: `故障事件-${device.id}` }, EVENT_COLUMNS, rows);
    return { items: rows.map((e) => ({ time: e.time, code: e.code, state: e.state, detail: e.detail ?? null })), nextCursor: null, total: rows.length };
  });
}
