import type { RecordColumn } from '@/components/record-column';
import { i18n } from '@/i18n';
import { eventNames } from '@/utils/device-state';
import { fullTime } from '@/utils/format';

type Row = Record<string, unknown>;
const t = (k: string) => i18n.global.t(k);
const time = (prop: string) => (r: Row) => fullTime(r[prop] as string | number | null);
const label = (prefix: string, prop: string) => (r: Row) => (r[prop] === null || r[prop] === undefined ? '—' : t(`${prefix}.${String(r[prop])}`));
const detail = (prop: string) => (r: Row) => {
  const d = r[prop];
  if (d === null || d === undefined) return '';
  return typeof d === 'string' ? d : Object.entries(d as Row).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ');
};

export type RecordTab = 'alarms' | 'events' | 'sms' | 'maintenance' | 'inspections' | 'audit';

/** Columns of the device file's record tabs (names as the API answers them); `company` names the device's own company. */
export const recordColumns = (company: { id: string | null; name?: string | undefined }): Record<RecordTab, RecordColumn<Row>[]> => ({
  alarms: [
    { prop: 'firstSeenAt', label: 'records.raisedAt', width: 160, format: time('firstSeenAt') },
    { prop: 'title', label: 'records.title', minWidth: 160 },
    { prop: 'severity', label: 'records.severity', width: 70, format: label('records.severityLevel', 'severity') },
    { prop: 'status', label: 'records.status', width: 80, format: label('records.alarmStatus', 'status') },
    { prop: 'count', label: 'records.count', width: 60 },
    { prop: 'acknowledgedBy', label: 'records.handledBy', minWidth: 120, format: (r) => String(r.acknowledgedBy ?? r.closedBy ?? '—') },
    { prop: 'closedAt', label: 'records.closedAt', width: 160, format: time('closedAt') },
  ],
  events: [
    { prop: 'time', label: 'records.at', width: 160, format: time('time') },
    { prop: 'code', label: 'records.code', width: 70 },
    { prop: 'name', label: 'records.title', minWidth: 140, format: (r) => eventNames([String(r.code)])[0] ?? '' },
    { prop: 'state', label: 'records.state', width: 70, format: label('records', 'state') },
    { prop: 'detail', label: 'records.detail', minWidth: 160, format: detail('detail') },
  ],
  sms: [
    { prop: 'createdAt', label: 'records.at', width: 160, format: (r) => fullTime((r.sentAt ?? r.createdAt) as string) },
    { prop: 'stage', label: 'records.stage', width: 100, format: label('records.smsStage', 'stage') },
    { prop: 'recipientName', label: 'records.to', width: 110 },
    { prop: 'recipientPhone', label: 'records.phone', width: 120 },
    { prop: 'status', label: 'records.status', width: 80, format: label('records.smsStatus', 'status') },
    { prop: 'alarmTitle', label: 'records.about', minWidth: 200 },
  ],
  maintenance: [
    { prop: 'doneOn', label: 'records.doneOn', width: 110 },
    { prop: 'companyId', label: 'records.company', minWidth: 140, format: (r) => (r.companyId && r.companyId === company.id ? (company.name ?? company.id) : String(r.companyId ?? '—')) },
    { prop: 'technician', label: 'records.technician', width: 100 },
    { prop: 'items', label: 'records.items', minWidth: 200, format: (r) => (Array.isArray(r.items) ? r.items.join('、') : '') },
    { prop: 'note', label: 'records.note', minWidth: 120 },
    { prop: 'createdBy', label: 'records.createdBy', width: 110 },
  ],
  inspections: [
    { prop: 'inspectedOn', label: 'records.inspectedOn', width: 110 },
    { prop: 'result', label: 'records.inspResult', width: 90, format: label('records', 'result') },
    { prop: 'nextDue', label: 'records.nextDue', width: 110 },
    { prop: 'reportNo', label: 'records.reportNo', width: 140 },
    { prop: 'note', label: 'records.note', minWidth: 160 },
  ],
  audit: [
    { prop: 'at', label: 'records.at', width: 160, format: time('at') },
    { prop: 'actor', label: 'records.actor', width: 140 },
    { prop: 'action', label: 'records.action', width: 160 },
    { prop: 'via', label: 'records.via', width: 90, format: label('records.viaName', 'via') },
    { prop: 'detail', label: 'records.detail', minWidth: 220, format: detail('detail') },
  ],
});
