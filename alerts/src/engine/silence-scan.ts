import { silenceSignal } from '../rules/silence.js';
import type { EngineContext } from './context.js';
import { record } from './uplink-handler.js';

/**
 * Raises the silence alarm of devices whose deadline passed, by the time up to which the uplink stream has been
 * handled (not the clock: messages still waiting in the stream would push those deadlines forward). Every worker
 * scans; the claim is atomic, so each silent device is raised by exactly one of them.
 */
export async function scanSilence(ctx: EngineContext): Promise<number> {
  const now = ctx.now();
  const until = await ctx.silence.judgedUntil(now);
  ctx.metrics.silenceJudgedLag.set(Math.max(0, now - until) / 1000);
  const due = await ctx.silence.claimDue(until);
  for (const id of due) {
    const d = await ctx.devices.get(id);
    const s = d?.enabled ? ctx.rules.settings('silence', { subject: d.kind, id: d.id, model: d.model, districtId: d.districtId }) : undefined;
    if (!d || !s?.enabled) {
      await ctx.silence.forget(id);
      continue;
    }
    await record(ctx, silenceSignal('raise', s, now), d);
  }
  ctx.metrics.silentDevices.set(await ctx.silence.silentCount());
  return due.length;
}

/** After a restart: devices marked silent whose alarm is not active (a crash between claim and record) get it now. */
export async function reconcileSilence(ctx: EngineContext): Promise<void> {
  for (const id of await ctx.silence.silentMembers()) {
    const d = await ctx.devices.get(id);
    if (!d) continue;
    const s = ctx.rules.settings('silence', { subject: d.kind, id: d.id, model: d.model, districtId: d.districtId });
    const active = await ctx.alarms.active(id, 'silence');
    if (s?.enabled && !active) await record(ctx, silenceSignal('raise', s, ctx.now()), d);
  }
}
