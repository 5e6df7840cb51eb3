import { ElNotification } from 'element-plus';
import { defineStore } from 'pinia';
import { ref } from 'vue';
import { onAlarm, onLiveReady } from '@/api/alarm-bus';
import type { Alarm, AlarmCounter } from '@/api/alarms';
import { api } from '@/api/http';
import { i18n } from '@/i18n';
import { router } from '@/router';

const SOUND_KEY = 'tw.alarmSound';
/** the counter is read again at most this often while alarms change (a burst of 100 events costs one request) */
const COUNTER_MS = 500;
/** an alarm first seen longer ago than this is not "new" (a reconnect replays nothing, but an old alarm's change is no news) */
const NEW_WITHIN_MS = 10 * 60_000;

/** A short two-tone beep with Web Audio (no audio file to fetch, nothing for the CSP to allow). */
function beep(): void {
  try {
    const ctx = new AudioContext();
    const o = ctx.createOscillator();
    const g = ctx.createGain();
    o.connect(g).connect(ctx.destination);
    g.gain.value = 0.15;
    o.frequency.setValueAtTime(880, ctx.currentTime);
    o.frequency.setValueAtTime(660, ctx.currentTime + 0.2);
    o.start();
    o.stop(ctx.currentTime + 0.4);
    o.onended = () => void ctx.close();
  } catch {
    // no audio device: the toast still shows
  }
}

/**
 * The alarm centre's presence on every page while signed in: the menu badge (`GET /alarms/counter`, read again as
 * live `alarm` events arrive and on every reconnect), a toast for each new alarm (click: its detail) and, when the
 * user turned it on, a sound (off by default, remembered in this browser).
 */
export const useAlarms = defineStore('alarms', () => {
  const counter = ref<AlarmCounter | null>(null);
  const sound = ref(localStorage.getItem(SOUND_KEY) === 'on');
  /** alarms already announced (or known before this page loaded): one toast per alarm */
  const seen = new Set<number>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stops: (() => void)[] = [];

  async function loadCounter(): Promise<void> {
    timer = undefined;
    try {
      counter.value = await api.get<AlarmCounter>('/alarms/counter');
    } catch {
      // the badge keeps its last value; the next event or reconnect reads again
    }
  }
  const soon = () => {
    timer ??= setTimeout(() => void loadCounter(), COUNTER_MS);
  };

  function announce(a: Alarm) {
    const t = i18n.global.t;
    const where = [a.subjectName ?? a.subjectId, a.unitName].filter(Boolean).join(' · ');
    ElNotification({
      title: `${t('alarm.toastTitle')} · ${t(`records.severityLevel.${a.severity}`)}`,
      message: `${a.title}（${where}）${t('alarm.toastOpen')}`,
      type: a.severity === 'critical' || a.severity === 'major' ? 'error' : 'warning',
      duration: 8000,
      customClass: 'alarm-toast',
      onClick: () => void router.push(`/alarms/${a.id}`),
    });
    if (sound.value) beep();
  }

  function onEvent(a: Alarm) {
    soon();
    if (seen.has(a.id)) return;
    seen.add(a.id);
    if (a.state === 'open' && Date.now() - Date.parse(a.firstSeenAt) < NEW_WITHIN_MS) announce(a);
  }

  function start(): void {
    if (stops.length) return;
    stops = [onAlarm(onEvent), onLiveReady(soon)];
    void loadCounter();
  }

  function stop(): void {
    stops.forEach((s) => s());
    stops = [];
    clearTimeout(timer);
    timer = undefined;
    counter.value = null;
    seen.clear();
  }

  function setSound(on: boolean): void {
    sound.value = on;
    localStorage.setItem(SOUND_KEY, on ? 'on' : 'off');
    if (on) beep();
  }

  return { counter, sound, start, stop, setSound, loadCounter };
});
