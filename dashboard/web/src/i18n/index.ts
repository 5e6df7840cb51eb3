import { createI18n } from 'vue-i18n';
import { en } from './en';
import { zhCN } from './zh-cn';
import { kitchensEn } from './kitchens.en';
import { kitchensZhCN } from './kitchens.zh-cn';

export type Locale = 'zh-CN' | 'en';
const KEY = 'tw.locale';

/** Chinese first: English only when the user chose it (remembered in this browser). */
const initial: Locale = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = initial;

// each feature's messages in its own files (colleagues' edits do not collide), merged here
const zh = { ...zhCN, ...kitchensZhCN };
const english: typeof zh = { ...en, ...kitchensEn };

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
