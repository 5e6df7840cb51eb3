import { createI18n } from 'vue-i18n';
import { alarmsEn } from './alarms.en';
import { alarmsZhCN } from './alarms.zh-cn';
import { en } from './en';
import { statsEn } from './stats.en';
import { statsZhCN } from './stats.zh-cn';
import { zhCN } from './zh-cn';

export type Locale = 'zh-CN' | 'en';
const KEY = 'tw.locale';

/** Chinese first: English only when the user chose it (remembered in this browser). */
const initial: Locale = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = initial;

// each feature's messages live in their own files, merged here (colleagues' edits do not collide)
const zh = { ...zhCN, ...alarmsZhCN, ...statsZhCN };
const english: typeof zh = { ...en, ...alarmsEn, ...statsEn };

export const i18n = createI18n<[typeof zh], Locale, false>({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zh, en: english },
});

export const currentLocale = () => i18n.global.locale.value as Locale;

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}
