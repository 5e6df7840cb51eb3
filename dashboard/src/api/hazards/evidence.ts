import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { maskPhone } from '@tianwang/alerts/actions';
import { NotFoundError } from '@tianwang/core/errors';
import type { DeviceKind } from '@tianwang/core/schemas';
import { SqlParams, scopeSql } from '../../auth/sql-scope.js';
import { requireAlarm } from '../alarms/access.js';
import { readImage } from '../../http/image-store.js';
import { ALARM_PHOTOS_FOLDER } from '../alarms/photos.js';
import { auditByUser, scopeOf, type ApiContext } from '../context.js';
import { route } from '../route.js';
import { csv, zipBundle, type BundleFile, type MissingFile } from './bundle.js';
import { HAZARD_KINDS } from './query.js';

/** ±30 minutes of telemetry around the moment the alarm was first seen. */
export const TELEMETRY_WINDOW_MS = 30 * 60_000;
/** 5-second buckets over the hour: terminals report every 1–10 s, so this is the data as stored or nearly */
const TELEMETRY_POINTS = 720;
const EXT: Record<string, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/webp': 'webp' };
const Params = z.object({ kind: z.enum(HAZARD_KINDS), id: z.coerce.number().int().min(1) });

interface Collected {
  files: BundleFile[];
  missing: MissingFile[];
  hazard: Record<string, unknown>;
}

async function auditTrail(ctx: ApiContext, subjectType: string, id: number): Promise<BundleFile> {
  const rows = await ctx.registry.db.query<Record<string, unknown>>(`SELECT at, actor, actor_type, action, via, detail FROM audit_log WHERE subject_type = $1 AND subject_id = $2 ORDER BY at, id`, [subjectType, String(id)]);
  return { path: 'audit-trail.csv', bytes: csv(['at', 'actor', 'actor_type', 'action', 'via', 'detail'], rows.map((r) => [new Date(r.at as string), r.actor, r.actor_type, r.action, r.via, r.detail])) };
}

/** An alarm: what raised it, its telemetry around it, its rectification photos, every SMS, the audit trail. */
async function alarmEvidence(ctx: ApiContext, req: FastifyRequest, id: number): Promise<Collected> {
  const a = await requireAlarm(ctx, req, id);
  const db = ctx.registry.db;
  const [raw] = await db.query<{ detail: unknown }>('SELECT detail FROM alarms WHERE id = $1', [id]);
  const files: BundleFile[] = [];
  const missing: MissingFile[] = [];
  if (a.subjectType === 'device' && (a.kind === 'elevator' || a.kind === 'boiler')) {
    const at = Date.parse(a.firstSeenAt);
    const s = await ctx.history.series({ deviceId: a.subjectId, kind: a.kind as DeviceKind, from: at - TELEMETRY_WINDOW_MS, to: at + TELEMETRY_WINDOW_MS, points: TELEMETRY_POINTS });
    files.push({ path: 'telemetry.csv', bytes: csv(['time', ...s.fields], s.points.map((p) => [new Date(p.time), ...s.fields.map((f) => p.values[f])])) });
  }
  const photos = await db.query<{ id: number; sha256: string; content_type: string }>('SELECT id::int AS id, sha256, content_type FROM alarm_photos WHERE alarm_id = $1 ORDER BY id', [id]);
  for (const p of photos) {
    const path = `photos/${p.id}-${p.sha256.slice(0, 12)}.${EXT[p.content_type] ?? 'bin'}`;
    const bytes = await readImage(ctx.dataDir, ALARM_PHOTOS_FOLDER, p.sha256);
    if (bytes) files.push({ path, bytes, recordedSha256: p.sha256 });
    else missing.push({ path, recordedSha256: p.sha256, reason: 'not in this server’s data folder' });
  }
  const sms = await db.query<Record<string, unknown>>(
    `SELECT id, stage, recipient_name, recipient_phone, provider, provider_message_id, status, COALESCE(receipt_error, error) AS error, created_at, sent_at, delivered_at
     FROM notifications WHERE alarm_id = $1 ORDER BY id`, [id]);
  files.push({
    path: 'sms-log.csv',
    bytes: csv(['id', 'stage', 'recipient', 'phone', 'provider', 'message_id', 'status', 'error', 'queued_at', 'sent_at', 'delivered_at'],
      sms.map((n) => [n.id, n.stage, n.recipient_name, maskPhone(n.recipient_phone as string), n.provider, n.provider_message_id, n.status, n.error,
        n.created_at && new Date(n.created_at as string), n.sent_at && new Date(n.sent_at as string), n.delivered_at && new Date(n.delivered_at as string)])),
  });
  files.push(await auditTrail(ctx, 'alarm', id));
  return { files, missing, hazard: { ref: `alarm:${id}`, alarm: a, trigger: raw?.detail ?? {} } };
}

/** A failed spot check: the signed record, its snapshot evidence, the audit trail. */
async function findingEvidence(ctx: ApiContext, req: FastifyRequest, id: number): Promise<Collected> {
  const p = new SqlParams();
  const [s] = await ctx.registry.db.query<Record<string, unknown>>(
    `SELECT s.id::int AS id, s.kitchen_id, k.name AS kitchen_name, s.items, s.result, s.notes, s.status, s.recorded_by, s.recorded_at, s.record_hash
     FROM spot_checks s JOIN kitchens k ON k.id = s.kitchen_id WHERE s.id = ${p.add(id)} AND s.result = 'fail' AND ${scopeSql.kitchens(await scopeOf(ctx, req), p, 'k')}`,
    p.values,
  );
  if (!s) throw new NotFoundError(`finding ${id}`);
  const items = (typeof s.items === 'string' ? JSON.parse(s.items) : s.items) as { evidence: { snapshotId: number; sha256: string }[] }[];
  const ids = [...new Set(items.flatMap((i) => i.evidence.map((e) => e.snapshotId)))];
  const snaps = ids.length ? await ctx.registry.db.query<{ id: number; camera_id: string; path: string; sha256: string }>('SELECT id::int AS id, camera_id, path, sha256 FROM snapshots WHERE id = ANY($1::bigint[]) ORDER BY id', [ids]) : [];
  const files: BundleFile[] = [];
  const missing: MissingFile[] = [];
  for (const sn of snaps) {
    const path = `snapshots/${sn.id}-${sn.camera_id}-${sn.sha256.slice(0, 12)}.jpg`;
    // the relay writes paths relative to the shared data folder; anything else is not ours to read
    const rel = normalize(sn.path);
    const bytes = isAbsolute(rel) || rel.startsWith('..') ? undefined : await readFile(join(ctx.dataDir, rel)).catch(() => undefined);
    if (bytes) files.push({ path, bytes, recordedSha256: sn.sha256 });
    else missing.push({ path, recordedSha256: sn.sha256, reason: 'not in this server’s data folder' });
  }
  files.push(await auditTrail(ctx, 'spot_check', id));
  return { files, missing, hazard: { ref: `finding:${id}`, spotCheck: { ...s, items } } };
}

/** GET /hazards/:kind/:id/evidence.zip — the evidence bundle of one hazard in scope (docs/dashboard.md "Hazard ledger"). */
export function hazardEvidenceRoutes(app: FastifyInstance, ctx: ApiContext): void {
  route(app, {
    method: 'GET', url: '/hazards/:kind/:id/evidence.zip', summary: 'Evidence bundle of a hazard (ZIP with a SHA-256 manifest)', tags: ['hazards'], params: Params,
    produces: ['application/zip'], response: z.string().meta({ description: 'the ZIP' }),
  }, async (req, reply) => {
    const { kind, id } = req.params;
    const c = kind === 'alarm' ? await alarmEvidence(ctx, req, id) : await findingEvidence(ctx, req, id);
    const generatedAt = new Date().toISOString();
    const files = [{ path: 'hazard.json', bytes: Buffer.from(JSON.stringify(c.hazard, null, 2)) }, ...c.files];
    const zip = await zipBundle(files, c.missing, { hazard: `${kind}:${id}`, generatedAt, generatedBy: req.session!.user.id, telemetryWindowMs: TELEMETRY_WINDOW_MS });
    await auditByUser(ctx.registry.db, req, 'hazard.evidence_exported', kind === 'alarm' ? 'alarm' : 'spot_check', String(id), { files: files.length, missing: c.missing.length });
    return reply.type('application/zip').header('content-disposition', `attachment; filename="evidence-${kind}-${id}.zip"`).send(zip);
  });
}
