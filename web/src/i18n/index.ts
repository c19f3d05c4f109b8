import { ref } from 'vue';
import { en } from './en';
import { type MessageKey, zh } from './zh';

export type Lang = 'zh' | 'en';
export type { MessageKey };

const STORAGE_KEY = 'govhub.lang';
const catalogs: Record<Lang, Record<MessageKey, string>> = { zh, en };

function initial(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === 'en' ? 'en' : 'zh';
  } catch {
    return 'zh';
  }
}

/** The UI language: zh-CN unless the user chose English (remembered in localStorage). */
export const lang = ref<Lang>(initial());

export function setLang(next: Lang): void {
  lang.value = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
  document.title = t('app.name');
}

/** The Accept-Language sent with every API call, so error messages come back in the same language. */
export function acceptLanguage(): string {
  return lang.value === 'zh' ? 'zh-CN' : 'en';
}

/** Message by key, `{name}` placeholders filled from params. Reactive when used in templates. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = catalogs[lang.value][key];
  return params ? text.replace(/\{(\w+)\}/g, (m, k: string) => String(params[k] ?? m)) : text;
}

/** Translation of a code that may be unknown to the catalog (event types, roles from the API). */
export function tCode(prefix: 'role' | 'kind' | 'event', code: string): string {
  const key = `${prefix}.${code}`;
  return key in zh ? t(key as MessageKey) : code;
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  return new Date(iso).toLocaleString(lang.value === 'zh' ? 'zh-CN' : 'en-GB', { hour12: false });
}
