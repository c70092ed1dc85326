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
  /** The statement's table and lines. */
  statement: {
    invoice: string;
    milestone: string;
    amountDue: string;
    due: string;
    dueOn: string;
    overdue: string;
    totalDue: string;
    daysOverdue: (days: string) => string;
    notOverdue: string;
  };
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
    statement: {
      invoice: 'Invoice',
      milestone: 'Milestone',
      amountDue: 'Amount due',
      due: 'Due',
      dueOn: 'due',
      overdue: 'Overdue',
      totalDue: 'Total due',
      daysOverdue: (days) => `${days} overdue`,
      notOverdue: 'not overdue yet',
    },
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
    statement: {
      invoice: 'Rechnung',
      milestone: 'Leistung',
      amountDue: 'Offener Betrag',
      due: 'Fällig',
      dueOn: 'fällig am',
      overdue: 'Überfällig',
      totalDue: 'Offen insgesamt',
      daysOverdue: (days) => `${days} überfällig`,
      notOverdue: 'noch nicht überfällig',
    },
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
    statement: {
      invoice: 'Facture',
      milestone: 'Prestation',
      amountDue: 'Montant dû',
      due: 'Échéance',
      dueOn: 'échéance le',
      overdue: 'Retard',
      totalDue: 'Total dû',
      daysOverdue: (days) => `${days} de retard`,
      notOverdue: 'pas encore en retard',
    },
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
    statement: {
      invoice: 'Factura',
      milestone: 'Concepto',
      amountDue: 'Importe pendiente',
      due: 'Vencimiento',
      dueOn: 'vence el',
      overdue: 'Retraso',
      totalDue: 'Total pendiente',
      daysOverdue: (days) => `${days} de retraso`,
      notOverdue: 'aún no vencida',
    },
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
    statement: {
      invoice: 'Factuur',
      milestone: 'Omschrijving',
      amountDue: 'Openstaand bedrag',
      due: 'Vervaldatum',
      dueOn: 'vervalt op',
      overdue: 'Te laat',
      totalDue: 'Totaal openstaand',
      daysOverdue: (days) => `${days} te laat`,
      notOverdue: 'nog niet vervallen',
    },
  },
};
