/**
 * The benchmark's district: one district node with 5 grids, 50 units, and N elevators EB-000000… laid out as the
 * ingest benchmark's processes tag them (unit U<i % 50>, grid D<i % 5>), so the broker and ingest of
 * bench/ingest/procs.ts and the dashboard agree on every device. One inspector sees all of them.
 */
import { makeCreditCode } from '@tianwang/core/demo';
import type { Registry } from '@tianwang/core/registry';

export const INSPECTOR = { username: 'bench-inspector', password: 'bench-password-0123456789' };
export const deviceId = (i: number) => `EB-${String(i).padStart(6, '0')}`;

export async function seedBenchDistrict(r: Registry, devices: number): Promise<void> {
  await r.districts.upsert({ id: 'BENCH', name: '压测区', kind: 'district', parentId: null });
  for (let g = 0; g < 5; g++) await r.districts.upsert({ id: `D${g}`, name: `压测第${g + 1}网格`, kind: 'grid', parentId: 'BENCH' });
  for (let u = 0; u < 50; u++) {
    await r.units.upsert({
      id: `U${u}`, creditCode: makeCreditCode('310115', `MA1B${String(u).padStart(5, '0')}`), name: `压测单位${u}`, address: `压测路${u}号`,
      districtId: `D${u % 5}`, safetyOfficerName: '安全员', safetyOfficerPhone: '+8613800000001', principalName: '负责人', principalPhone: '+8613800000002',
    });
  }
  // one transaction: 20,000 single-row upserts over a socket are minutes, in one transaction seconds
  await r.db.transaction(async (tx) => {
    for (let i = 0; i < devices; i++) {
      await tx.query(
        `INSERT INTO devices (id, kind, registration_code, name, location, unit_id, rated, telemetry_interval_s, last_maintenance_on, inspection_valid_until)
         VALUES ($1, 'elevator', $2, $3, $4, $5, '{"ratedSpeed":1.75,"ratedLoad":1000,"floors":30}', 1, current_date - ($6::int % 20), current_date + ($6::int % 400))
         ON CONFLICT (id) DO NOTHING`,
        [deviceId(i), `3110${String(i).padStart(16, '0')}`, `${i}号梯`, `${Math.floor(i / 50)}号楼`, `U${i % 50}`, i],
      );
    }
  });
  await r.users.upsert({ id: 'bench-inspector', username: INSPECTOR.username, displayName: '压测监管员', role: 'inspector', phone: null, districtId: 'BENCH', unitId: null, maintenanceCompanyId: null, password: INSPECTOR.password });
}
