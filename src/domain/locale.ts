/**
 * The languages a client's emails can be written in (wording, number, money and date formats, and the
 * replies duebot understands). English is the default: a client without a locale reads as before.
 */
export const LOCALES = ['en', 'de', 'fr', 'es', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && (LOCALES as readonly string[]).includes(value);

export const LOCALE_NAMES: Record<Locale, string> = { en: 'English', de: 'German', fr: 'French', es: 'Spanish', nl: 'Dutch' };

/** The Intl tag behind each language: English keeps the US formats it always had. */
export const INTL_TAGS: Record<Locale, string> = { en: 'en-US', de: 'de-DE', fr: 'fr-FR', es: 'es-ES', nl: 'nl-NL' };

/** A stored or typed value as a locale: anything unknown (null, an old row) is the default. */
export const localeOr = (value: unknown): Locale => (isLocale(value) ? value : DEFAULT_LOCALE);

/** " (German)" after a template's name; English says nothing, as before languages existed. */
export const languageSuffix = (locale: Locale = DEFAULT_LOCALE): string => (locale === DEFAULT_LOCALE ? '' : ` (${LOCALE_NAMES[locale]})`);
