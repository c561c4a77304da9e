import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { fr, type MessageKey } from './fr';

/*
 * One typed dictionary per language, no library: French is the source of the keys, and English
 * must have exactly the same keys or the console does not type-check. The console has a few hundred
 * short strings with simple `{name}` placeholders, which i18next would serve at several times the
 * size of the whole dictionary.
 */
export type Lang = 'fr' | 'en';
export type { MessageKey };
export type Translate = (key: MessageKey, values?: Record<string, string | number>) => string;

const DICTIONARIES: Record<Lang, Record<MessageKey, string>> = { fr, en };
const STORAGE_KEY = 'rempart.lang';

interface LangContextValue {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const LangContext = createContext<LangContextValue | null>(null);

function initialLang(): Lang {
  try {
    const stored = localStorage.getItem(STORAGE_KEY);
    if (stored === 'fr' || stored === 'en') return stored;
  } catch {
    // storage refused (private mode): French, the default
  }
  return 'fr';
}

export function interpolate(template: string, values?: Record<string, string | number>): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

export function LangProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(initialLang);
  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      localStorage.setItem(STORAGE_KEY, next);
    } catch {
      // not kept across visits; still switched now
    }
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);
  const value = useMemo<LangContextValue>(
    () => ({ lang, setLang, t: (key, values) => interpolate(DICTIONARIES[lang][key], values) }),
    [lang, setLang],
  );
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang(): LangContextValue {
  const value = useContext(LangContext);
  if (!value) throw new Error('useLang outside LangProvider');
  return value;
}

export const useT = (): Translate => useLang().t;

/** Dates and numbers in the reader's language. */
export function useFormat() {
  const { lang } = useLang();
  const locale = lang === 'fr' ? 'fr-FR' : 'en-GB';
  return useMemo(
    () => ({
      date: (value: string | Date | null | undefined) =>
        value ? new Date(value).toLocaleString(locale, { dateStyle: 'medium', timeStyle: 'short' }) : '—',
      day: (value: string | Date) => new Date(value).toLocaleDateString(locale, { dateStyle: 'medium' }),
      number: (value: number) => value.toLocaleString(locale),
    }),
    [locale],
  );
}
