import type { Locale } from '../domain/locale.js';

/**
 * The few words duebot writes into a client email itself (outside the editable templates): the day
 * counts and timing phrases behind {{days_overdue_text}} and {{timing}}, the lines' labels and the
 * HTML's pay button. English is exactly the wording emails always had.
 */
export interface EmailWords {
  days: (n: number) => string;
  /** {{timing}}: completes "invoice #42 for "Design" (…) ___". */
  overdue: (days: string) => string;
  dueToday: string;
  dueIn: (days: string, date: string) => string;
  subtotal: string;
  total: string;
  tax: string;
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
  payNow: string;
  orOpen: string;
}

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const EMAIL_WORDS: Record<Locale, EmailWords> = {
  en: {
    days: (n) => plural(n, 'day', 'days'),
    overdue: (days) => `is now ${days} past due`,
    dueToday: 'is due today',
    dueIn: (days, date) => `is due in ${days}, on ${date}`,
    subtotal: 'Subtotal',
    total: 'Total',
    tax: 'Tax',
    description: 'Description',
    quantity: 'Qty',
    unitPrice: 'Unit price',
    amount: 'Amount',
    payNow: 'Pay now',
    orOpen: 'Or open this link:',
  },
  de: {
    days: (n) => plural(n, 'Tag', 'Tage'),
    overdue: (days) => `ist seit ${days.replace(/Tage$/, 'Tagen')} überfällig`,
    dueToday: 'ist heute fällig',
    dueIn: (days, date) => `ist in ${days.replace(/Tage$/, 'Tagen')} fällig, am ${date}`,
    subtotal: 'Zwischensumme',
    total: 'Gesamtbetrag',
    tax: 'Steuer',
    description: 'Beschreibung',
    quantity: 'Menge',
    unitPrice: 'Einzelpreis',
    amount: 'Betrag',
    payNow: 'Jetzt bezahlen',
    orOpen: 'Oder öffnen Sie diesen Link:',
  },
  fr: {
    days: (n) => plural(n, 'jour', 'jours'),
    overdue: (days) => `est en retard de ${days}`,
    dueToday: "arrive à échéance aujourd'hui",
    dueIn: (days, date) => `arrive à échéance dans ${days}, le ${date}`,
    subtotal: 'Sous-total',
    total: 'Total',
    tax: 'Taxe',
    description: 'Description',
    quantity: 'Qté',
    unitPrice: 'Prix unitaire',
    amount: 'Montant',
    payNow: 'Payer maintenant',
    orOpen: 'Ou ouvrez ce lien :',
  },
  es: {
    days: (n) => plural(n, 'día', 'días'),
    overdue: (days) => `lleva ${days} vencida`,
    dueToday: 'vence hoy',
    dueIn: (days, date) => `vence en ${days}, el ${date}`,
    subtotal: 'Subtotal',
    total: 'Total',
    tax: 'Impuesto',
    description: 'Descripción',
    quantity: 'Cant.',
    unitPrice: 'Precio unitario',
    amount: 'Importe',
    payNow: 'Pagar ahora',
    orOpen: 'O abra este enlace:',
  },
  nl: {
    days: (n) => plural(n, 'dag', 'dagen'),
    overdue: (days) => `is nu ${days} te laat`,
    dueToday: 'vervalt vandaag',
    dueIn: (days, date) => `vervalt over ${days}, op ${date}`,
    subtotal: 'Subtotaal',
    total: 'Totaal',
    tax: 'Btw',
    description: 'Omschrijving',
    quantity: 'Aantal',
    unitPrice: 'Stukprijs',
    amount: 'Bedrag',
    payNow: 'Nu betalen',
    orOpen: 'Of open deze link:',
  },
};
