import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { en } from './en';
import { fr, type Dictionary, type MessageKey, type PluralKey } from './fr';
import { formatMessage, type MessageValues } from './messages';

/*
 * One typed dictionary per language, no library: French is the source of the keys, and English
 * must have exactly the same keys, plural where French is plural, or the console does not
 * type-check. The console has a few hundred short strings with simple `{name}` placeholders and a
 * handful of counts (plural forms from Intl.PluralRules, see ./messages), which i18next would serve
 * at several times the size of the whole dictionary.
 */
export type Lang = 'fr' | 'en';
export type { MessageKey, PluralKey };
export interface Translate {
  (key: MessageKey, values?: MessageValues): string;
  /** A message about a number of things: `count` chooses between "1 appareil" and "2 appareils". */
  (key: PluralKey, values: MessageValues & { count: number }): string;
}

const DICTIONARIES: Record<Lang, Dictionary> = { fr, en };
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
  const value = useMemo<LangContextValue>(() => {
    const t = (key: MessageKey | PluralKey, values?: MessageValues) =>
      formatMessage(lang, DICTIONARIES[lang][key], values);
    return { lang, setLang, t };
  }, [lang, setLang]);
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
