import type { Alarm } from './alarms';

type AlarmListener = (a: Alarm) => void;
const alarmListeners = new Set<AlarmListener>();
const readyListeners = new Set<() => void>();

/**
 * The live feed's alarm events, fanned out inside the app: the one EventSource (stores/board.ts) hands each `alarm`
 * event here, and the menu badge, the toasts, the alarm list and an open alarm detail listen. `ready` (first
 * connect and every reconnect) means events may have been missed: listeners read their data again.
 */
export function onAlarm(fn: AlarmListener): () => void {
  alarmListeners.add(fn);
  return () => alarmListeners.delete(fn);
}

export function onLiveReady(fn: () => void): () => void {
  readyListeners.add(fn);
  return () => readyListeners.delete(fn);
}

export const emitAlarm = (a: Alarm) => alarmListeners.forEach((fn) => fn(a));
export const emitLiveReady = () => readyListeners.forEach((fn) => fn());
