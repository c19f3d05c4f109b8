import { en } from './messages.en.js';
import { zh } from './messages.zh.js';

export type Lang = 'zh-CN' | 'en';
export type MessageKey = keyof typeof zh;

const catalogs: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zh, en };

/** GOVHUB_LANG / ?lang= values → a supported language; Chinese is the default. */
export function parseLang(raw: string | undefined | null): Lang {
  if (!raw) {
    return 'zh-CN';
  }
  return raw.toLowerCase().startsWith('en') ? 'en' : 'zh-CN';
}

/** Picks the first supported language from an Accept-Language header, else the fallback. */
export function langFromAcceptLanguage(header: string | undefined, fallback: Lang): Lang {
  if (!header) {
    return fallback;
  }
  for (const part of header.split(',')) {
    const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
    if (tag.startsWith('zh')) {
      return 'zh-CN';
    }
    if (tag.startsWith('en')) {
      return 'en';
    }
  }
  return fallback;
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.hasOwn(zh, key);
}

/** Renders a message with `{name}` placeholders; unknown keys are returned as they are. */
export function t(lang: Lang, key: string, params: Record<string, string | number> = {}): string {
  const template = isMessageKey(key) ? catalogs[lang][key] : key;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
