// the fault table alone: core's schemas entry would bring zod (its payload validators) into the browser
import { faultCodeInfo } from '@tianwang/core/schemas/fault-codes';
import type { BoardRow, Telemetry } from '@/api/types';
import { currentLocale, i18n } from '@/i18n';
import { num } from './format';

const t = (k: string) => i18n.global.t(k);

export type RunState = 'fault' | 'running' | 'stopped' | 'unknown';

/** The fault/event codes a terminal currently raises, by name in the current language. */
export function eventNames(codes: readonly string[]): string[] {
  const zh = currentLocale() === 'zh-CN';
  return codes.map((c) => {
    const info = faultCodeInfo(c);
    return info ? (zh ? info.zh : info.en) : c;
  });
}

/** Elevator: a raised fault wins, then motion; a boiler runs while its burner is not off. */
export function runState(row: Pick<BoardRow, 'kind' | 'telemetry' | 'activeEvents'>): RunState {
  if (row.activeEvents.length) return 'fault';
  const tm = row.telemetry;
  if (!tm) return 'unknown';
  if (row.kind === 'elevator') return tm.direction && tm.direction !== 'stop' ? 'running' : 'stopped';
  return tm.burner && tm.burner !== 'off' ? 'running' : 'stopped';
}

const arrow = { up: '↑', down: '↓' } as const;

/** The few facts a supervisor scans for on the board, joined by " · ". */
export function stateParts(kind: BoardRow['kind'], tm: Telemetry | null): string[] {
  if (!tm) return [];
  if (kind === 'elevator') {
    const parts: string[] = [];
    // the direction only while moving: "stopped" is already the run state beside it
    const moving = tm.direction === 'up' || tm.direction === 'down';
    if (tm.floor !== undefined) parts.push(`${tm.floor}${t('unit.floor')}${moving ? ` ${arrow[tm.direction as 'up' | 'down']}${t(`direction.${tm.direction}`)}` : ''}`);
    if (tm.door) parts.push(t(`door.${tm.door}`));
    if (tm.mode !== undefined && tm.mode !== 1) parts.push(t(`mode.${tm.mode}`));
    if (tm.power && tm.power !== 'mains') parts.push(t(`power.${tm.power}`));
    return parts;
  }
  const parts: string[] = [];
  if (tm.pressure !== undefined) parts.push(num(tm.pressure, 2, 'MPa'));
  if (tm.waterLevel !== undefined) parts.push(`${t('field.waterLevel')} ${num(tm.waterLevel, 0, 'mm')}`);
  if (tm.steamTemp !== undefined) parts.push(num(tm.steamTemp, 0, '°C'));
  if (tm.burner) parts.push(t(`burner.${tm.burner}`));
  return parts;
}
