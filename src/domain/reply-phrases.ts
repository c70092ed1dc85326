import type { DisputeReason } from './reply-classifier.js';

/**
 * What disputes, promises to pay, questions and auto-replies sound like in German, French, Spanish
 * and Dutch (the English rules live in reply-classifier.ts). A reply is read against every language,
 * whatever the client's: people answer in the language they write best. Words are matched whole
 * (letters with accents included) and case-insensitively.
 */
const words = (...alternatives: string[]) => new RegExp(`(?<![\\p{L}\\p{N}])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}])`, 'iu');

export const DISPUTE_PHRASES: Record<DisputeReason, RegExp> = {
  not_approved: words(
    // de
    'nicht (?:freigegeben|abgenommen|genehmigt)',
    'nie(?:mals)? (?:freigegeben|abgenommen|genehmigt)',
    'keine (?:Freigabe|Abnahme|Genehmigung)',
    // fr
    "(?:n'a |n'ont |n'avons )?(?:jamais|pas) (?:été )?(?:approuvée?s?|validée?s?)",
    'sans (?:notre )?(?:accord|validation)',
    // es
    'no (?:ha sido |fue |está |lo hemos )?aprobad[oa]s?',
    'nunca (?:lo )?(?:aprobamos|aprobado)',
    'sin (?:nuestra )?aprobación',
    // nl
    'niet (?:goedgekeurd|geaccordeerd)',
    'nooit (?:goedgekeurd|akkoord gegeven)',
    'geen (?:akkoord|goedkeuring)',
  ),
  amount: words(
    '(?:Betrag|Summe|Preis|Rechnungsbetrag|Stundensatz|Rechnung) (?:ist|war|scheint|stimmt) (?:leider )?(?:falsch|zu hoch|nicht|fehlerhaft)',
    'falsche[nr]? (?:Betrag|Summe|Preis|Stundensatz)',
    'doppelt (?:berechnet|abgerechnet|in Rechnung gestellt)',
    'mehr als (?:vereinbart|angeboten)',
    'überhöht\\p{L}*',
    'montant (?:est |semble |paraît )?(?:incorrect|erroné|faux|trop élevé)',
    'erreur (?:sur|dans) (?:le montant|la facture|cette facture)',
    'facturée? deux fois',
    'double facturation',
    'plus que (?:convenu|prévu|le devis)',
    'surfactur\\p{L}*',
    '(?:importe|precio|total) (?:es |parece )?(?:incorrecto|erróneo|demasiado alto)',
    '(?:cobrad|facturad)[oa]s? dos veces',
    'doble (?:cobro|facturación)',
    'más de lo (?:acordado|presupuestado)',
    'bedrag (?:is|klopt|lijkt) (?:onjuist|niet|fout|te hoog)',
    '(?:verkeerd|onjuist) bedrag',
    'dubbel (?:gefactureerd|gerekend|in rekening gebracht)',
    'meer dan (?:afgesproken|geoffreerd)',
  ),
  scope: words(
    'nicht (?:im|Teil des|Bestandteil des) (?:Auftrag|Angebot|Vertrag|Leistungsumfang)\\p{L}*',
    'nicht (?:bestellt|beauftragt|vereinbart)',
    'außerhalb (?:des|der) (?:Auftrags|Leistungsumfangs|Angebots|Vereinbarung)',
    'hors (?:du )?(?:périmètre|devis|contrat)',
    '(?:pas|jamais) (?:été )?(?:commandée?s?|demandée?s?)',
    'ne (?:faisait|fait) pas partie',
    'fuera del? (?:alcance|presupuesto|contrato)',
    'no (?:lo )?(?:pedimos|solicitamos|encargamos|hemos pedido)',
    'buiten (?:de )?(?:scope|offerte|opdracht)',
    'niet (?:besteld|gevraagd|afgesproken)',
    'geen onderdeel van',
  ),
  quality: words(
    'funktioniert (?:noch )?nicht',
    'nicht (?:fertig|fertiggestellt|vollständig|geliefert|abgeschlossen)',
    'unvollständig',
    'fehlerhaft',
    'mangelhaft',
    'voller Fehler',
    'nicht zufrieden',
    'unzufrieden',
    'inakzeptabel',
    'ne fonctionne (?:toujours )?pas',
    "(?:pas|n'est pas) (?:terminée?|finie?|livrée?|conforme)",
    'incomplète?',
    'défectueu(?:x|se)',
    'pas satisfaits?',
    'inacceptable',
    'no funciona',
    '(?:no está|sin) (?:terminad|acabad|entregad)[oa]',
    'incomplet[oa]',
    'defectuos[oa]',
    'no estamos satisfechos',
    'inaceptable',
    'werkt (?:nog )?niet',
    'niet (?:af|klaar|afgerond|geleverd|volledig)',
    'onvolledig',
    'gebrekkig',
    'niet tevreden',
    'onaanvaardbaar',
    'onacceptabel',
  ),
  other: words(
    'widersprechen',
    'Widerspruch',
    'bestreiten',
    'beanstanden',
    'reklamieren',
    // "wir zahlen nicht" refuses; "wir zahlen nicht vor dem 15." only delays.
    '(?:wir|ich) (?:(?:be)?zahlen?|überweisen|überweise|begleichen|begleiche)(?: die(?:se)? Rechnung| das| sie)? nicht(?! vor| bis| erst)',
    '(?:werden|werde) (?:die(?:se)? Rechnung |das |sie )?nicht (?:zahlen|bezahlen|überweisen|begleichen)',
    'Zahlung verweiger\\p{L}*',
    'litige',
    '(?:nous|je) ne (?:paierons|payerons|réglerons|paierai|payerai|réglerai|payons|réglons|allons pas payer)',
    'refus\\p{L}* de (?:payer|régler)',
    'no (?:vamos a pagar|pagaremos|pagamos|pagaré)',
    'nos negamos a pagar',
    'impugn\\p{L}*',
    'reclam(?:amos|ación|ar)',
    'betwist\\p{L}*',
    '(?:wij|we|ik) (?:betalen|zullen|zal)(?: deze factuur| dit| het)? niet(?: betalen)?(?! voor| tot)',
    'weigeren te betalen',
  ),
};

export const PROMISE_PHRASES = words(
  // de
  '(?:wir|ich) (?:werden|werde) (?:\\S+ ){0,4}?(?:zahlen|bezahlen|überweisen|begleichen|anweisen)',
  '(?:wir|ich) (?:be)?zahlen?|(?:wir|ich) (?:überweisen|überweise|begleichen|begleiche)',
  '(?:(?:be)?zahlen?|überweisen|überweise|begleichen|begleiche) (?:wir|ich)',
  '(?:Zahlung|Überweisung) (?:erfolgt|geht|wird|ist (?:veranlasst|angewiesen|freigegeben))',
  // fr
  '(?:nous|je) (?:allons|vais|pourrons|pourrai|comptons|prévoyons de) (?:vous )?(?:payer|régler|virer|effectuer le (?:paiement|virement))',
  '(?:nous|je) (?:paierons|payerons|réglerons|virerons|effectuerons|procéderons|paierai|payerai|réglerai)',
  '(?:le )?(?:paiement|virement|règlement) (?:sera|partira|est prévu)',
  // es
  '(?:vamos a|voy a) (?:pagar|transferir|abonar|realizar el pago|hacer la transferencia)',
  '(?:pagaremos|pagaré|abonaremos|transferiremos|realizaremos el pago|haremos la transferencia)',
  'el (?:pago|abono) (?:se realizará|saldrá|se hará|está programado)',
  // nl
  '(?:wij|we|ik) (?:zullen|zal|gaan|ga) (?:\\S+ ){0,4}?(?:betalen|overmaken|voldoen)',
  '(?:wij|we|ik) (?:betalen|maken|voldoen)',
  '(?:betalen|maken) (?:wij|we|ik)',
  'betaling (?:wordt|zal|gaat)',
);

export const QUESTION_START_PHRASES = new RegExp(
  `^\\s*(?:¿|(?:können|könnten|würden|wann|warum|wieso|weshalb|wie|welche[rs]?|gibt es|pouvez|pourriez|quand|pourquoi|comment|quel(?:le)?s?|est-ce|puede|podría|podrían|cuándo|por qué|cómo|cuál|dónde|kunt|kunnen|wanneer|waarom|hoe|welke)(?![\\p{L}\\p{N}]))`,
  'imu',
);

/** Subject lines auto-replies start with (Outlook, Gmail and friends, in each language). */
export const AUTO_REPLY_SUBJECTS = new RegExp(
  `^\\s*(automatische antwort|abwesenheitsnotiz|abwesend|nicht im büro|réponse automatique|absence du bureau|absent(?:e)? du bureau|respuesta automática|fuera de la oficina|automatisch antwoord|afwezig(?:heid)?|niet aanwezig)(?![\\p{L}\\p{N}])`,
  'iu',
);

/** "next week" in each language: the Friday of next week. */
export const NEXT_WEEK_PHRASES = words(
  'nächste Woche',
  'kommende Woche',
  '(?:la )?semaine prochaine',
  '(?:la )?próxima semana',
  'la semana que viene',
  'volgende week',
  'komende week',
);
