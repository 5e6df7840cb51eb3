import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ExcelJS from 'exceljs';
import { createAlarmService } from '@tianwang/alerts/actions';
import { startInflux, type InfluxServer } from '@tianwang/core/testing';
import { login, startWorld, type Login, type World } from './helpers/world.js';

const run = promisify(execFile);
const DB = 'hazards_test';
const MIN = 60_000;
const DAY = 86_400_000;
const t0 = Math.floor(Date.now() / MIN) * MIN - 120 * MIN;
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
// a PNG signature is what the upload's type check reads; the rest of the bytes are kept as they are
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rectification-photo')]);
const JPEG = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('kitchen-snapshot-bytes')]);

let influx: InfluxServer;
let w: World;
let dataDir: string;
let insp1: Login, insp2: Login, unit1: Login, admin: Login;
let trapped: number, overdue: number, other: number, falseAlarm: number, finding: number, finding3: number;

beforeAll(async () => {
  influx = await startInflux();
  await fetch(`${influx.url}/query`, { method: 'POST', body: new URLSearchParams({ q: `CREATE DATABASE ${DB}` }) });
  // EL-1 reports every 10 s from 40 min before the alarm to 40 min after it (as ingest writes it)
  const lines: string[] = [];
  for (let t = t0 - 40 * MIN; t < t0 + 40 * MIN; t += 10_000) lines.push(`elevator,device=EL-1,district=G1,kind=elevator,unit=U1 floor=${Math.floor((t - t0) / MIN) + 50}i,speed=1.5 ${t}`);
  const res = await fetch(`${influx.url}/write?db=${DB}&precision=ms`, { method: 'POST', body: lines.join('\n') });
  expect(res.ok).toBe(true);
  dataDir = await mkdtemp(join(tmpdir(), 'tw-hazards-'));
  w = await startWorld({ env: { TW_INFLUX_URL: influx.url, TW_INFLUX_DATABASE: DB, TW_DATA_DIR: dataDir } });
  const svc = createAlarmService(w.registry);
  const raise = async (type: string, severity: 'critical' | 'major', id: string, unitId: string, at: number) =>
    ((await svc.record({ action: 'raise', type, severity, title: { zh: type, en: type }, detail: { code: 11, floor: 3 }, at }, { type: 'device', id, unitId }, 1)) as { alarm: { id: number } }).alarm.id;
  trapped = await raise('fault:11', 'critical', 'EL-1', 'U1', t0);
  overdue = await raise('overpressure', 'major', 'BL-1', 'U1', Date.now() - 10 * DAY);
  other = await raise('fault:11', 'critical', 'EL-3', 'U3', t0);
  falseAlarm = await raise('overspeed', 'critical', 'EL-2', 'U2', t0);
  await w.registry.db.query(`UPDATE alarms SET status = 'closed', outcome = 'false_alarm', closed_at = now() WHERE id = $1`, [falseAlarm]);
  await w.registry.db.query(
    `INSERT INTO notifications (alarm_id, stage, recipient_name, recipient_phone, template, status, provider, provider_message_id, sent_at, delivered_at)
     VALUES ($1, 'officer', '阳光花园安全员', '+8613812345678', 'alarm', 'delivered', 'aliyun', 'biz-1', now(), now())`,
    [trapped],
  );
  [insp1, insp2, unit1, admin] = (await Promise.all(['insp1', 'insp2', 'unit1', 'admin'].map((u) => login(w.dashboard, u)))) as [Login, Login, Login, Login];
  const photo = await w.dashboard.app.inject({ method: 'POST', url: `/api/v1/alarms/${trapped}/photos`, headers: { ...unit1.headers(true), 'content-type': 'image/png' }, payload: PNG });
  expect(photo.statusCode).toBe(201);
  // a failed online spot check of K1 (D1) with a snapshot on disk, and one of K3 (D2)
  await mkdir(join(dataDir, 'snapshots', 'CAM-1'), { recursive: true });
  await writeFile(join(dataDir, 'snapshots', 'CAM-1', 'shot.jpg'), JPEG);
  const [snap] = await w.registry.db.query<{ id: number }>(
    `INSERT INTO snapshots (camera_id, taken_at, taken_by, path, sha256, bytes) VALUES ('CAM-1', now(), 'insp1', $1, $2, $3) RETURNING id::int AS id`,
    [join('snapshots', 'CAM-1', 'shot.jpg'), sha(JPEG), JPEG.length],
  );
  const [draw] = await w.registry.db.query<{ id: number }>(
    `INSERT INTO random_draws (district_id, period, algorithm, seed, inputs, inputs_hash, result, result_hash, created_by) VALUES ('D1', '2026-11', 'test', 's', '{}', 'h', '{}', 'h', 'insp1') RETURNING id::int AS id`,
  );
  const items = (snapshotId: number | null) => JSON.stringify([{ key: 'hat', label: '未戴工作帽', pass: false, evidence: snapshotId ? [{ snapshotId, cameraId: 'CAM-1', sha256: sha(JPEG), takenAt: new Date().toISOString() }] : [] }]);
  const spot = async (kitchen: string, snapshotId: number | null) =>
    (await w.registry.db.query<{ id: number }>(
      `INSERT INTO spot_checks (draw_id, kitchen_id, inspector_ids, status, items, result, recorded_by, recorded_at, record_hash) VALUES ($1, $2, '["insp1"]', 'rectifying', $3, 'fail', 'insp1', now() - interval '8 days', 'rh') RETURNING id::int AS id`,
      [draw!.id, kitchen, items(snapshotId)],
    ))[0]!.id;
  finding = await spot('K1', snap!.id);
  finding3 = await spot('K3', null);
}, 120_000);
afterAll(async () => {
  await w?.close();
  await influx?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

const get = (s: Login, url: string) => w.dashboard.app.inject({ method: 'GET', url, headers: s.headers() });
type Hazard = { ref: string; state: string; overdue: boolean; deadline: string; detectedAt: string; category: string; title: string };
const refs = async (s: Login, q = '') => ((await get(s, `/api/v1/hazards${q}`)).json().items as Hazard[]).map((h) => h.ref).sort();

/** Unzips with Debian's unzip and checks every file against manifest.json and SHA256SUMS. */
async function unpack(zip: Buffer): Promise<{ dir: string; manifest: { files: { path: string; sha256: string; bytes: number; recordedSha256?: string; matchesRecord?: boolean }[]; missing: unknown[]; hazard: string } }> {
  const dir = await mkdtemp(join(tmpdir(), 'tw-evidence-'));
  await writeFile(join(dir, 'e.zip'), zip);
  await run('unzip', ['-q', 'e.zip', '-d', 'out'], { cwd: dir });
  const out = join(dir, 'out');
  const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
  const sums = (await readFile(join(out, 'SHA256SUMS'), 'utf8')).trim().split('\n').map((l) => l.split('  ') as [string, string]);
  const onDisk = (await readdir(out, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(out, join(e.parentPath, e.name))).sort();
  expect(onDisk).toEqual([...manifest.files.map((f: { path: string }) => f.path), 'manifest.json', 'SHA256SUMS'].sort());
  expect(sums.map(([, p]) => p).sort()).toEqual(manifest.files.map((f: { path: string }) => f.path).sort());
  for (const f of manifest.files) {
    const bytes = await readFile(join(out, f.path));
    expect([f.path, sha(bytes), bytes.length]).toEqual([f.path, f.sha256, f.bytes]);
    expect(sums.find(([, p]) => p === f.path)![0]).toBe(f.sha256);
  }
  // and the same check as a person would run it
  await run('sha256sum', ['-c', '--quiet', 'SHA256SUMS'], { cwd: out });
  return { dir: out, manifest };
}

describe('hazard ledger', () => {
  it('lists alarms (not false alarms) and failed spot checks across elevators, boilers and kitchens, in scope', async () => {
    expect(await refs(insp1)).toEqual([`alarm:${overdue}`, `alarm:${trapped}`, `finding:${finding}`].sort());
    expect(await refs(insp2)).toEqual([`alarm:${other}`, `finding:${finding3}`].sort());
    expect(await refs(admin)).not.toContain(`alarm:${falseAlarm}`);
    expect(await refs(unit1)).toEqual([`alarm:${overdue}`, `alarm:${trapped}`, `finding:${finding}`].sort());
  });

  it('gives each hazard its state and deadline, and filters by them', async () => {
    const items = (await get(insp1, '/api/v1/hazards')).json().items as Hazard[];
    const by = (ref: string) => items.find((h) => h.ref === ref)!;
    expect(by(`alarm:${trapped}`)).toMatchObject({ state: 'open', category: 'elevator', overdue: false, deadline: new Date(t0 + DAY).toISOString() });
    expect(by(`alarm:${overdue}`)).toMatchObject({ state: 'open', category: 'boiler', overdue: true });
    expect(by(`finding:${finding}`)).toMatchObject({ state: 'rectifying', category: 'kitchen', overdue: true, title: '线上抽检不合格：未戴工作帽' });
    expect(Date.parse(by(`finding:${finding}`).deadline) - Date.parse(by(`finding:${finding}`).detectedAt)).toBe(7 * DAY);
    expect(await refs(insp1, '?overdue=true')).toEqual([`alarm:${overdue}`, `finding:${finding}`].sort());
    expect(await refs(insp1, '?kind=finding')).toEqual([`finding:${finding}`]);
    expect(await refs(insp1, '?category=elevator')).toEqual([`alarm:${trapped}`]);
    expect(await refs(admin, '?districtId=D2')).toEqual([`alarm:${other}`, `finding:${finding3}`].sort());
    const page = (await get(insp1, '/api/v1/hazards?limit=2&sort=deadline&order=asc')).json();
    const rest = (await get(insp1, `/api/v1/hazards?limit=2&sort=deadline&order=asc&cursor=${page.nextCursor}`)).json();
    expect([...page.items, ...rest.items].map((h: Hazard) => h.ref)).toEqual([`alarm:${overdue}`, `finding:${finding}`, `alarm:${trapped}`]);
  });

  it('exports the ledger as .xlsx with Chinese headers', async () => {
    const res = await get(insp1, '/api/v1/hazards?format=xlsx');
    expect(res.statusCode).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.rawPayload as unknown as ArrayBuffer);
    const rows: unknown[][] = [];
    wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
    expect(rows[0]!.slice(0, 4)).toEqual(['编号', '来源', '类别', '隐患']);
    expect(rows.slice(1).map((r) => r[0]).sort()).toEqual([`alarm:${overdue}`, `alarm:${trapped}`, `finding:${finding}`].sort());
  });
});

describe('evidence bundle', () => {
  it('bundles an alarm: telemetry ±30 min, the photo with its hash, the SMS log, the audit trail, a manifest that matches every byte', async () => {
    const res = await get(insp1, `/api/v1/hazards/alarm/${trapped}/evidence.zip`);
    expect([res.statusCode, res.headers['content-type']]).toEqual([200, 'application/zip']);
    const { dir, manifest } = await unpack(res.rawPayload);
    expect(manifest.hazard).toBe(`alarm:${trapped}`);
    expect(manifest.missing).toEqual([]);
    const photo = manifest.files.find((f) => f.path.startsWith('photos/'))!;
    expect(photo).toMatchObject({ sha256: sha(PNG), recordedSha256: sha(PNG), matchesRecord: true });
    const telemetry = (await readFile(join(dir, 'telemetry.csv'), 'utf8')).replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(telemetry[0]!.split(',').slice(0, 1)).toEqual(['time']);
    const times = telemetry.slice(1).map((l) => Date.parse(l.split(',')[0]!));
    expect(Math.min(...times)).toBeGreaterThanOrEqual(t0 - 30 * MIN);
    expect(Math.max(...times)).toBeLessThan(t0 + 30 * MIN);
    expect(times.length).toBeGreaterThan(300);
    // the floor the terminal reported at the alarm's minute is there (floor = minutes since t0 + 50)
    const floorCol = telemetry[0]!.split(',').indexOf('floor');
    expect(telemetry.slice(1).find((l) => Date.parse(l.split(',')[0]!) === t0)!.split(',')[floorCol]).toBe('50');
    const sms = await readFile(join(dir, 'sms-log.csv'), 'utf8');
    expect(sms).toContain('+86****5678');
    expect(sms).not.toContain('13812345678');
    const audit = await readFile(join(dir, 'audit-trail.csv'), 'utf8');
    expect(audit).toContain('alarm.photo_added');
    expect(JSON.parse(await readFile(join(dir, 'hazard.json'), 'utf8'))).toMatchObject({ ref: `alarm:${trapped}`, trigger: { code: 11, floor: 3 } });
  });

  it('bundles a spot-check finding with its snapshot evidence and hash', async () => {
    const res = await get(insp1, `/api/v1/hazards/finding/${finding}/evidence.zip`);
    expect(res.statusCode).toBe(200);
    const { manifest } = await unpack(res.rawPayload);
    expect(manifest.files.find((f) => f.path.startsWith('snapshots/'))).toMatchObject({ sha256: sha(JPEG), matchesRecord: true });
  });

  it('answers 404 for a hazard out of scope, a false kind, or none', async () => {
    for (const url of [`/api/v1/hazards/alarm/${other}/evidence.zip`, `/api/v1/hazards/finding/${finding3}/evidence.zip`, '/api/v1/hazards/alarm/999999/evidence.zip']) {
      const res = await get(insp1, url);
      expect([url, res.statusCode, res.json().code]).toEqual([url, 404, 'TW_NOT_FOUND']);
    }
    expect((await get(insp1, `/api/v1/hazards/device/${trapped}/evidence.zip`)).statusCode).toBe(400);
    expect((await w.dashboard.app.inject({ method: 'GET', url: `/api/v1/hazards/alarm/${trapped}/evidence.zip` })).statusCode).toBe(401);
  });
});
