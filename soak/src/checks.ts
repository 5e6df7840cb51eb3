import { writeFile } from 'node:fs/promises';
import type { FakeAliyun } from '@tianwang/alerts/testing';
import type { Probes } from './probes.js';
import type { SimStats } from './simulator.js';

/** One line of the final table: what was measured, the limit, and whether it held. */
export interface Check {
  name: string;
  figure: string;
  limit: string;
  ok: boolean;
}

/**
 * Nothing acknowledged is lost: every telemetry and event message the broker acknowledged is a point in InfluxDB
 * or a dead letter. (A message stored but not acknowledged, its PUBACK lost with a killed node, is not a loss:
 * stored may exceed acknowledged. Clock-skewed readings get unique server times, so they are counted too.)
 * The run's ingest workers store every message (TW_INGEST_STORE=all, platform.ts): by exception, an unchanged
 * reading is rightly not a point, and the count could not tell it from a lost one.
 */
export async function messageCheck(probes: Probes, acked: SimStats['acknowledged']): Promise<{ check: Check; stored: number; parked: number }> {
  const counts = await probes.influxCount(['elevator', 'boiler', 'elevator_event', 'boiler_event']);
  const stored = Object.values(counts).reduce((a, b) => a + b, 0);
  const parked = await probes.deadLetters();
  const acknowledged = acked.telemetry + acked.event;
  const lost = Math.max(0, acknowledged - stored - parked);
  return {
    stored,
    parked,
    check: { name: 'messages: acknowledged → stored + parked', figure: `${acknowledged} → ${stored} + ${parked}, lost ${lost}`, limit: 'lost 0', ok: lost === 0 && acknowledged > 0 },
  };
}

/**
 * SMS: each (alarm, stage, recipient) is one row (unique index), and each row the provider accepted is one
 * message it received, per phone; a surplus is allowed only for rows the alerts service audited as resumed after
 * a crash mid-send ("may arrive twice"). Every raised alarm has its first reminder.
 */
export async function smsChecks(probes: Probes, sms: FakeAliyun, auditFile: string, fleetStoppedAt: Date): Promise<Check[]> {
  const dup = await probes.query<{ n: string }>(`SELECT count(*) AS n FROM (SELECT 1 FROM notifications GROUP BY alarm_id, stage, recipient_phone HAVING count(*) > 1) d`);
  const rows = await probes.query<{ phone: string; n: string }>(`SELECT recipient_phone AS phone, count(*) AS n FROM notifications WHERE status = 'sent' AND provider = 'aliyun' GROUP BY 1`);
  const resumed = Number((await probes.query<{ n: string }>(`SELECT count(*) AS n FROM audit_log WHERE action = 'notification.resumed'`))[0]?.n ?? 0);
  const alarms = await probes.query<{ total: string; silent: string }>(
    `SELECT count(*) AS total, count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM notifications n WHERE n.alarm_id = a.id)) AS silent FROM alarms a WHERE a.first_seen_at < $1`,
    [fleetStoppedAt],
  );
  const norm = (p: string) => p.replace(/^\+?86/, '');
  const received = new Map<string, number>();
  for (const r of sms.received) received.set(norm(r.to), (received.get(norm(r.to)) ?? 0) + 1);
  const sent = new Map(rows.map((r) => [norm(r.phone), Number(r.n)]));
  let missing = 0;
  let surplus = 0;
  const odd: string[] = [];
  for (const phone of new Set([...received.keys(), ...sent.keys()])) {
    const d = (received.get(phone) ?? 0) - (sent.get(phone) ?? 0);
    if (d < 0) missing -= d;
    else surplus += d;
    if (d !== 0) odd.push(phone);
  }
  // what the provider got and what the rows say, for every phone that does not add up (for whoever looks into it)
  const audit = [];
  for (const phone of odd.slice(0, 20)) {
    audit.push({
      phone,
      received: sms.received.filter((r) => norm(r.to) === phone).map((r) => ({ at: new Date(r.at).toISOString(), template: r.templateCode, params: r.params })),
      rows: await probes.query(`SELECT id, alarm_id, stage, status, provider, attempts, merged_into, created_at, claimed_at, sent_at FROM notifications WHERE recipient_phone LIKE $1 ORDER BY id`, [`%${phone}`]),
    });
  }
  await writeFile(auditFile, JSON.stringify(audit, null, 1));
  // alarms raised while the fleet ran; its stop makes every terminal silent, and TW_SILENCE_MULTIPLE × interval later
  // they rightly raise silence alarms, which the run does not judge (the checks may still be running then)
  const types = await probes.query<{ type: string; n: string }>(`SELECT type, count(*) AS n FROM alarms WHERE first_seen_at < $1 GROUP BY 1 ORDER BY 2 DESC LIMIT 6`, [fleetStoppedAt]);
  const silences = Number(types.find((t) => t.type === 'silence')?.n ?? 0);
  const sentTotal = [...sent.values()].reduce((a, b) => a + b, 0);
  return [
    { name: 'SMS rows per (alarm, stage, recipient)', figure: `${Number(dup[0]?.n ?? 0)} duplicated`, limit: '0', ok: Number(dup[0]?.n ?? 0) === 0 },
    {
      name: 'SMS received vs rows sent, per phone',
      figure: `${sms.received.length} received, ${sentTotal} sent rows; missing ${missing}, surplus ${surplus} (audited resumed ${resumed})`,
      limit: 'missing 0, surplus ≤ resumed',
      ok: missing === 0 && surplus <= resumed,
    },
    { name: 'alarms raised while the fleet ran, by type', figure: types.map((t) => `${t.type} ${t.n}`).join(', ') || 'none', limit: '—', ok: true },
    // every terminal reports throughout (a killed broker node costs a reconnect of seconds): a silence is a false alarm
    { name: 'silence alarms while the fleet ran', figure: String(silences), limit: '0', ok: silences === 0 },
    { name: 'alarms raised without any SMS row', figure: `${Number(alarms[0]?.silent ?? 0)} of ${Number(alarms[0]?.total ?? 0)}`, limit: '0', ok: Number(alarms[0]?.silent ?? 0) === 0 && Number(alarms[0]?.total ?? 0) > 0 },
  ];
}

/** Notifications (of alarms raised while the fleet ran) left queued or sending once the platform has had time to settle. */
export async function stuckCheck(probes: Probes, fleetStoppedAt: Date): Promise<Check> {
  const rows = await probes.query<{ status: string; stage: string; n: string; oldest: string }>(
    `SELECT n.status, n.stage, count(*) AS n, round(extract(epoch FROM now() - min(n.created_at)))::text AS oldest FROM notifications n JOIN alarms a ON a.id = n.alarm_id ` +
      `WHERE n.status IN ('queued', 'sending') AND a.first_seen_at < $1 GROUP BY 1, 2`,
    [fleetStoppedAt],
  );
  const n = rows.reduce((a, r) => a + Number(r.n), 0);
  return { name: 'notifications stuck in queued/sending', figure: rows.length ? rows.map((r) => `${r.status} ${r.stage} ${r.n} (oldest ${r.oldest} s)`).join(', ') : '0', limit: '0', ok: n === 0 };
}
