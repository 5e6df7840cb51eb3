import { createI18n } from 'vue-i18n';
import { alarmsEn } from './alarms.en';
import { alarmsZhCN } from './alarms.zh-cn';
import { en } from './en';
import { hazardsEn } from './hazards.en';
import { hazardsZhCN } from './hazards.zh-cn';
import { screenEn } from './screen.en';
import { screenZhCN } from './screen.zh-cn';
import { statsEn } from './stats.en';
import { statsZhCN } from './stats.zh-cn';
import { zhCN } from './zh-cn';
import { kitchensEn } from './kitchens.en';
import { kitchensZhCN } from './kitchens.zh-cn';

// each feature's messages live in their own files (hazards.*.ts), merged here
const zhCNAll = { ...zhCN, ...alarmsZhCN, ...statsZhCN, ...hazardsZhCN, ...screenZhCN, ...kitchensZhCN };
const enAll: typeof zhCNAll = { ...en, ...alarmsEn, ...statsEn, ...hazardsEn, ...screenEn, ...kitchensEn };

export type Locale = 'zh-CN' | 'en';
const KEY = 'tw.locale';

/** Chinese first: English only when the user chose it (remembered in this browser). */
const initial: Locale = localStorage.getItem(KEY) === 'en' ? 'en' : 'zh-CN';
document.documentElement.lang = initial;

export const i18n = createI18n<[typeof zhCNAll], Locale, false>({
  legacy: false,
  locale: initial,
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': zhCNAll, en: enAll },
});

export const currentLocale = () => i18n.global.locale.value as Locale;

export function setLocale(l: Locale): void {
  i18n.global.locale.value = l;
  localStorage.setItem(KEY, l);
  document.documentElement.lang = l;
}
