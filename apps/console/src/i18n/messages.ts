/*
 * How one dictionary entry becomes text: `{name}` placeholders, and plural forms chosen by
 * Intl.PluralRules. Pure (no React, no DOM) so that jest tests it directly.
 */

/**
 * A message that depends on a number, passed as the `count` value. Languages disagree on what is
 * singular: French says "0 appareil" and "1 appareil", English "0 devices" and "1 device". Only the
 * categories French and English use are kept; any other one CLDR returns (French "many", for
 * round millions) falls back to `other`.
 */
export interface Plural {
  one: string;
  other: string;
}

export type Message = string | Plural;
export type MessageValues = Record<string, string | number>;

const pluralRules = new Map<string, Intl.PluralRules>();
const numberFormats = new Map<string, Intl.NumberFormat>();

function cached<T>(cache: Map<string, T>, locale: string, create: () => T): T {
  let value = cache.get(locale);
  if (!value) {
    value = create();
    cache.set(locale, value);
  }
  return value;
}

export function isPlural(message: Message): message is Plural {
  return typeof message !== 'string';
}

/** The form of `plural` that `count` takes in `locale`. */
export function selectPlural(locale: string, plural: Plural, count: number): string {
  const category = cached(pluralRules, locale, () => new Intl.PluralRules(locale)).select(count);
  return category === 'one' ? plural.one : plural.other;
}

export function interpolate(template: string, values?: MessageValues): string {
  if (!values) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in values ? String(values[name]) : whole,
  );
}

/**
 * The text of `message` in `locale`. A plural message picks its form by `values.count`; every
 * number is shown the locale's way (digit grouping and decimal sign: "1 234" and "66,6" in French).
 */
export function formatMessage(locale: string, message: Message, values?: MessageValues): string {
  const shown = values && localNumbers(locale, values);
  if (!isPlural(message)) return interpolate(message, shown);
  const count = values?.count;
  if (typeof count !== 'number') return interpolate(message.other, shown);
  return interpolate(selectPlural(locale, message, count), shown);
}

function localNumbers(locale: string, values: MessageValues): MessageValues {
  const format = cached(numberFormats, locale, () => new Intl.NumberFormat(locale));
  return Object.fromEntries(
    Object.entries(values).map(([name, value]) => [
      name,
      typeof value === 'number' ? format.format(value) : value,
    ]),
  );
}
