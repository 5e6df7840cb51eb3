import type { Kitchen } from '@tianwang/core/registry';
import { CAMERA_RULES, evaluateCamera, type CameraEvent, type CameraState } from '../rules/camera.js';
import { localMinutes } from '../time/local-time.js';
import type { EngineContext } from './context.js';
import type { StreamEntry } from './stream-consumer.js';

const STATES = new Set<CameraState>(['offline', 'blank', 'frozen', 'ok']);

function decode(fields: string[]): CameraEvent | undefined {
  const f: Record<string, string> = {};
  for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
  if (!f.camera || !f.kitchen || !STATES.has(f.state as CameraState)) return undefined;
  const ts = Number(f.ts);
  return { camera: f.camera, kitchen: f.kitchen, state: f.state as CameraState, ts: Number.isFinite(ts) && ts > 0 ? ts : Date.now(), ...(f.reason ? { reason: f.reason } : {}) };
}

/** Camera health events from streams/ → camera alarms (subject_type 'camera'; the kitchen's contact is told). */
export function createCameraHandler(ctx: EngineContext) {
  const kitchens = new Map<string, { at: number; k: Kitchen }>();
  const kitchen = async (id: string) => {
    const hit = kitchens.get(id);
    if (hit && ctx.now() - hit.at < 60_000) return hit.k;
    const k = await ctx.registry.kitchens.get(id);
    kitchens.set(id, { at: ctx.now(), k });
    return k;
  };
  return async function handleCameraBatch(entries: StreamEntry[]): Promise<void> {
    for (const [, fields] of entries) {
      const e = decode(fields.map(String));
      ctx.metrics.entries.inc({ source: 'camera', kind: e?.state ?? 'invalid' });
      if (!e) continue;
      let k: Kitchen;
      try {
        k = await kitchen(e.kitchen);
      } catch {
        continue; // unknown kitchen: the registry is the truth, the event is noise
      }
      const target = { subject: 'camera' as const, id: e.camera, districtId: k.districtId };
      const signals = evaluateCamera(e, k.businessHours, localMinutes(ctx.timezone, new Date(e.ts)), (key) => ctx.rules.settings(key, target), e.ts);
      for (const s of signals) {
        // clearing a camera alarm that is not active is a cheap no-op; skip the query for the common "ok"
        if (s.action === 'clear' && !(await ctx.alarms.active(e.camera, s.type))) continue;
        ctx.metrics.signals.inc({ action: s.action, type: s.type });
        const r = await ctx.alarms.record(s, { type: 'camera', id: e.camera, kitchenId: k.id }, ctx.rules.version);
        if (r.action === 'raise' && r.created) {
          ctx.metrics.alarmsOpened.inc({ type: s.type, severity: s.severity });
          await ctx.escalator.onRaised(r.alarm, e.ts);
        }
      }
    }
  };
}
export { CAMERA_RULES };
