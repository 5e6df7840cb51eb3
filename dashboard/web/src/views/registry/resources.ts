import { api } from '@/api/http';
import type { DeviceFile } from '@/api/types';
import { i18n } from '@/i18n';
import { useRegistryOptions, type ListName } from '@/stores/registry-options';
import type { RecordColumn } from '@/components/record-column';
import type { Field, Resource, Row } from './resource';

/** The registry pages (docs/dashboard.md, registry management): what each lists and what its form edits. */
const t = (k: string) => i18n.global.t(k);
const yesNo = (p: string) => (r: Row) => (r[p] ? t('common.yes') : t('common.no'));
/** a list column labelled `reg.f.<prop>`: `col` of a fixed width, `grow` at least `minWidth` wide */
const col = (prop: string, width: number, extra: Partial<RecordColumn<Row>> = {}): RecordColumn<Row> => ({ prop, label: `reg.f.${prop}`, width, ...extra });
const grow = (prop: string, minWidth: number, extra: Partial<RecordColumn<Row>> = {}): RecordColumn<Row> => ({ prop, label: `reg.f.${prop}`, minWidth, ...extra });
const enabled = col('enabled', 70, { format: (r: Row) => (r.enabled === false ? t('common.disabled') : t('common.enabled')) });
const labelOf = (prefix: string, p: string) => (r: Row) => (r[p] === null || r[p] === undefined ? '—' : t(`${prefix}.${String(r[p])}`));
const nameIn = (list: ListName, id: unknown) => (id ? (useRegistryOptions().lists[list]?.find((n) => n.id === id)?.name ?? String(id)) : '—');
const fixed = (prefix: string, values: string[]) => ({ fixed: values.map((v) => ({ value: v, label: `${prefix}.${v}` })) });
const f = (prop: string, type: Field['type'], extra: Partial<Field> = {}): Field => ({ prop, label: `reg.f.${prop.split('.').pop()}`, type, ...extra });
/** the columns and fields most records share */
const district = col('districtName', 110, { label: 'reg.f.districtId' });
const idField = f('id', 'text', { required: true, createOnly: true });
const identity = [idField, f('name', 'text', { required: true })];
const isElevator = (v: Row) => v.kind === 'elevator';
const isBoiler = (v: Row) => v.kind === 'boiler';

/** The board row lacks model, rated values and dates: a device is edited from its file. */
async function deviceRecord(r: Row): Promise<Row> {
  const file = await api.get<DeviceFile>(`/devices/${encodeURIComponent(String(r.id))}`);
  return { ...file.device, unitId: file.unit.id, maintenanceCompanyId: file.maintenanceCompany?.id ?? null };
}

export const RESOURCES: Record<string, Resource> = {
  units: {
    path: 'units',
    title: 'menu.units',
    what: 'reg.what.units',
    importable: true,
    columns: [
      grow('name', 180),
      col('creditCode', 180),
      district,
      grow('address', 160),
      col('safetyOfficerName', 110),
      col('safetyOfficerPhone', 140),
      col('devices', 70),
    ],
    fields: [
      ...identity,
      f('creditCode', 'text', { required: true, length: 18 }),
      f('districtId', 'tree', { required: true, options: { list: 'districts' } }),
      f('address', 'text'),
      f('safetyOfficerName', 'text', { required: true }),
      f('safetyOfficerPhone', 'phone', { required: true }),
      f('principalName', 'text', { required: true }),
      f('principalPhone', 'phone', { required: true }),
    ],
  },
  devices: {
    path: 'devices',
    title: 'menu.devices',
    what: 'reg.what.devices',
    importable: true,
    toggle: true,
    rotate: () => true,
    loadRecord: deviceRecord,
    defaults: { kind: 'elevator', telemetryIntervalS: 10, rated: {}, enabled: true },
    columns: [
      col('kind', 80, { format: labelOf('kind', 'kind') }),
      col('registrationCode', 180),
      grow('name', 120),
      grow('unitName', 150, { label: 'reg.f.unitId' }),
      grow('location', 120),
      district,
      enabled,
    ],
    fields: [
      f('id', 'text', { required: true, createOnly: true, placeholder: 'EL-00001' }),
      f('kind', 'select', { required: true, createOnly: true, options: fixed('kind', ['elevator', 'boiler']) }),
      f('registrationCode', 'text', { required: true, placeholder: '20 位注册代码' }),
      f('name', 'text', { required: true }),
      f('unitId', 'select', { required: true, options: { list: 'units' } }),
      f('location', 'text'),
      f('maintenanceCompanyId', 'select', { nullable: true, options: { list: 'companies' } }),
      f('model', 'text'),
      f('rated.ratedSpeed', 'number', { when: isElevator, min: 0.1, max: 20, step: 0.05 }),
      f('rated.ratedLoad', 'number', { when: isElevator, min: 1, max: 100000, step: 50 }),
      f('rated.floors', 'number', { when: isElevator, min: 2, max: 200, step: 1 }),
      f('rated.ratedPressure', 'number', { when: isBoiler, min: 0.01, max: 30, step: 0.05 }),
      f('rated.ratedCapacity', 'number', { when: isBoiler, min: 0.01, max: 1000, step: 0.5 }),
      f('rated.safetyValveSet', 'number', { when: isBoiler, min: 0.01, max: 30, step: 0.01 }),
      f('telemetryIntervalS', 'number', { required: true, min: 1, max: 86400, step: 1 }),
      f('lastMaintenanceOn', 'date', { nullable: true }),
      f('inspectionValidUntil', 'date', { nullable: true }),
    ],
  },
  companies: {
    path: 'maintenance-companies',
    title: 'menu.companies',
    what: 'reg.what.companies',
    columns: [
      grow('name', 180),
      col('creditCode', 180),
      col('contactName', 100),
      col('contactPhone', 140),
      col('emergencyPhone', 140),
      col('elevators', 80),
    ],
    fields: [
      ...identity,
      f('creditCode', 'text', { length: 18, nullable: true }),
      f('contactName', 'text'),
      f('contactPhone', 'phone'),
      f('emergencyPhone', 'phone', { required: true }),
    ],
  },
  kitchens: {
    path: 'kitchens',
    title: 'menu.kitchens',
    what: 'reg.what.kitchens',
    needs: ['units'],
    defaults: { riskClass: 'B', publicViewing: false, businessHours: '09:00-21:00' },
    columns: [
      grow('name', 160),
      col('licenceNo', 160),
      district,
      grow('unitId', 140, { format: (r) => nameIn('units', r.unitId) }),
      col('riskClass', 80),
      col('contactPhone', 140),
      col('cameras', 70),
      col('publicViewing', 80, { format: yesNo('publicViewing') }),
    ],
    fields: [
      ...identity,
      f('licenceNo', 'text', { required: true }),
      f('districtId', 'tree', { required: true, options: { list: 'districts' } }),
      f('unitId', 'select', { nullable: true, options: { list: 'units' } }),
      f('address', 'text'),
      f('riskClass', 'select', { required: true, options: { fixed: ['A', 'B', 'C', 'D'].map((v) => ({ value: v, label: v })) } }),
      f('contactName', 'text'),
      f('contactPhone', 'phone'),
      f('businessHours', 'text', { required: true, placeholder: '09:00-21:00' }),
      f('publicViewing', 'switch'),
    ],
  },
  cameras: {
    path: 'cameras',
    title: 'menu.cameras',
    what: 'reg.what.cameras',
    toggle: true,
    search: false,
    rotate: (r) => r.mode === 'push',
    defaults: { area: 'cooking', mode: 'push', recordingEnabled: true, enabled: true },
    columns: [
      col('id', 120),
      grow('name', 120),
      grow('kitchenName', 160, { label: 'reg.f.kitchenId' }),
      col('area', 90, { format: labelOf('reg.area', 'area') }),
      col('mode', 80, { format: labelOf('reg.mode', 'mode') }),
      col('recordingEnabled', 70, { format: yesNo('recordingEnabled') }),
      enabled,
    ],
    fields: [
      idField,
      f('kitchenId', 'select', { required: true, options: { list: 'kitchens' } }),
      f('name', 'text'),
      f('area', 'select', { required: true, options: fixed('reg.area', ['cold_dish', 'raw', 'cooking', 'dishwashing', 'storage', 'other']) }),
      f('mode', 'select', { required: true, createOnly: true, options: fixed('reg.mode', ['push', 'pull']) }),
      f('sourceUrl', 'text', { when: (v) => v.mode === 'pull', placeholder: 'rtsp://…' }),
      f('recordingEnabled', 'switch'),
      f('recordingHours', 'text', { nullable: true, placeholder: '08:00-22:00' }),
    ],
  },
  users: {
    path: 'users',
    title: 'menu.users',
    what: 'reg.what.users',
    toggle: true,
    setPassword: true,
    needs: ['districts', 'units', 'companies'],
    defaults: { role: 'unit', enabled: true },
    columns: [
      col('username', 120),
      grow('displayName', 140),
      col('role', 90, { format: labelOf('role', 'role') }),
      {
        prop: 'scope',
        label: 'reg.f.scope',
        minWidth: 160,
        format: (r) => (r.districtId ? nameIn('districts', r.districtId) : r.unitId ? nameIn('units', r.unitId) : r.maintenanceCompanyId ? nameIn('companies', r.maintenanceCompanyId) : '—'),
      },
      col('phone', 140),
      col('lead', 90, { format: (r: Row) => (r.lead ? t('common.yes') : '') }),
      enabled,
    ],
    fields: [
      idField,
      f('username', 'text', { required: true, createOnly: true, placeholder: 'a-z 0-9 . _ -' }),
      f('displayName', 'text', { required: true }),
      f('password', 'password', { required: true, createOnly: true }),
      f('role', 'select', { required: true, options: fixed('role', ['admin', 'inspector', 'unit', 'maintenance']) }),
      f('districtId', 'tree', { required: true, nullable: true, when: (v) => v.role === 'inspector', options: { list: 'districts' } }),
      f('unitId', 'select', { required: true, nullable: true, when: (v) => v.role === 'unit', options: { list: 'units' } }),
      f('maintenanceCompanyId', 'select', { required: true, nullable: true, when: (v) => v.role === 'maintenance', options: { list: 'companies' } }),
      f('phone', 'phone', { nullable: true }),
      // the district node's lead inspector gets the weekly report's SMS summary (at most one per node: the server moves it)
      f('lead', 'switch', { when: (v) => v.role === 'inspector' }),
    ],
  },
};
