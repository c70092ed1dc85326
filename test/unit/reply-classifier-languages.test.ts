import { classifyReply, resolvePromisedDate, stripQuotedReply, type ReplyKind } from '../../src/domain/reply-classifier.js';

// Friday 4 December 2026, 10:00 UTC (11:00 in Berlin).
const asOf = new Date('2026-12-04T10:00:00Z');
const tz = 'Europe/Berlin';
const classify = (text: string, subject = 'AW: Rechnung Nr. INV-0001', headers: Record<string, string> = {}) => classifyReply({ text, subject, headers }, asOf, tz);

describe('replies in German, French, Spanish and Dutch', () => {
  test.each<[string, string, string]>([
    ['de', 'Guten Tag,\n\nwir überweisen den Betrag am 15. Januar.\n\nViele Grüße\nAnna Schmidt', '2027-01-15'],
    ['de', 'Hallo, die Zahlung erfolgt bis zum 15.1. Beste Grüße', '2027-01-15'],
    ['de', 'Wir werden die Rechnung nächste Woche begleichen.', '2026-12-11'],
    ['de', 'Ich bezahle am 18.12.2026, danke für die Geduld.', '2026-12-18'],
    ['fr', 'Bonjour, nous réglerons la facture le 3 mars. Cordialement, Claire', '2027-03-03'],
    ['fr', 'Le virement sera effectué vendredi prochain.', '2026-12-11'],
    ['es', 'Hola, pagaremos la factura el 3 de marzo. Un saludo', '2027-03-03'],
    ['es', 'Vamos a pagar la próxima semana, disculpe el retraso.', '2026-12-11'],
    ['nl', 'Beste, we betalen de factuur op 3 maart. Met vriendelijke groet', '2027-03-03'],
    ['nl', 'Wij zullen het bedrag op 22.12. overmaken.', '2026-12-22'],
  ])('promise (%s): %s', (_language, text, date) => {
    const c = classify(text);
    expect([c.kind, c.promisedDate]).toEqual(['promise', date]);
    expect(c.explanation).toMatch(/^Promise to pay by \d{4}-\d\d-\d\d: the reply says ".+" and ".+"$/);
  });

  test.each<[string, string, string]>([
    ['de', 'Der Betrag ist falsch, vereinbart waren 2.500 €.', 'amount'],
    ['de', 'Sie haben uns die Stunden doppelt berechnet.', 'amount'],
    ['de', 'Die Landingpage war nicht beauftragt.', 'scope'],
    ['de', 'Die App funktioniert nicht auf dem iPhone.', 'quality'],
    ['de', 'Der Meilenstein wurde von uns nicht abgenommen.', 'not_approved'],
    ['de', 'Wir widersprechen dieser Rechnung.', 'other'],
    ['de', 'Wir zahlen nicht.', 'other'],
    ['fr', 'Bonjour, nous contestons cette facture : le montant est incorrect.', 'amount'],
    ['fr', 'Cette prestation est hors du périmètre du devis.', 'scope'],
    ['fr', 'Le site ne fonctionne pas sur mobile.', 'quality'],
    ['fr', 'Nous ne paierons pas cette facture.', 'other'],
    ['es', 'El importe es incorrecto, acordamos 1.200 €.', 'amount'],
    ['es', 'Nos han cobrado dos veces el mismo trabajo.', 'amount'],
    ['es', 'La web no funciona en el móvil.', 'quality'],
    ['es', 'No pagaremos esta factura.', 'other'],
    ['nl', 'Het bedrag klopt niet, we hadden € 1.200 afgesproken.', 'amount'],
    ['nl', 'Dit werk hebben we niet besteld.', 'scope'],
    ['nl', 'De website werkt niet op mobiel.', 'quality'],
    ['nl', 'Wij betwisten deze factuur.', 'other'],
  ])('dispute (%s): %s', (_language, text, reason) => {
    const c = classify(text);
    expect([c.kind, c.reason]).toEqual(['dispute', reason]);
  });

  test.each<[string, string, ReplyKind]>([
    // A refusal or a delay is never a promise.
    ['de', 'Wir zahlen nicht.', 'dispute'],
    ['de', 'Wir werden diese Rechnung nicht bezahlen.', 'dispute'],
    ['fr', 'Nous ne paierons pas le 3 mars.', 'dispute'],
    ['es', 'No vamos a pagar el 3 de marzo.', 'dispute'],
    ['nl', 'We betalen niet op 3 maart.', 'dispute'],
    // A promise without a date, and a question, snooze nothing.
    ['de', 'Wir überweisen bald.', 'other'],
    ['de', 'Können Sie uns die Rechnung noch einmal als PDF schicken', 'question'],
    ['fr', 'Pourriez-vous renvoyer la facture avec notre numéro de TVA', 'question'],
    ['es', '¿Podrían enviarnos la factura en PDF?', 'question'],
    ['nl', 'Wanneer komt de creditnota', 'question'],
    ['de', 'Vielen Dank für die Info, ich gebe das an die Buchhaltung weiter.', 'other'],
  ])('not a promise (%s): %s', (_language, text, kind) => {
    const c = classify(text);
    expect(c.kind).toBe(kind);
    expect(c.promisedDate).toBeNull();
  });

  test.each([
    'Abwesenheitsnotiz: AW: Rechnung Nr. INV-0001',
    'Automatische Antwort: Rechnung Nr. INV-0001',
    'Réponse automatique : Facture n° INV-0001',
    'Absence du bureau',
    'Respuesta automática: Factura n.º INV-0001',
    'Fuera de la oficina: Factura',
    'Automatisch antwoord: Factuur INV-0001',
    'Afwezig: Factuur INV-0001',
  ])('out of office by subject: %s', (subject) => {
    expect(classify('Ich bin bis zum 15. Januar nicht im Büro. Wir überweisen am 20. Januar.', subject).kind).toBe('auto_reply');
  });

  test('an out-of-office in another language, by header, is an auto-reply too', () => {
    expect(classify('Je suis absente jusqu’au 3 mars.', 'Re: Facture', { 'Auto-Submitted': 'auto-replied' }).kind).toBe('auto_reply');
  });

  test('quoted history in each language is removed before classifying', () => {
    const body = 'Wir überweisen am 15. Januar.\n\nAm Mo., 9. Nov. 2026 um 09:00 schrieb Pixel <billing@pixelco.example>:\n> Der Betrag ist falsch?\n';
    expect(stripQuotedReply(body)).toBe('Wir überweisen am 15. Januar.');
  });
});

describe('resolvePromisedDate in other languages', () => {
  test.each<[string, string | null]>([
    ['am 15. Januar', '2027-01-15'],
    ['bis zum 15.1.', '2027-01-15'],
    ['bis 31.12.', '2026-12-31'],
    ['le 3 mars', '2027-03-03'],
    ['el 3 de marzo', '2027-03-03'],
    ['op 3 maart', '2027-03-03'],
    ['am 30.2.', null], // no such day
    ['am 1.12.2026', null], // already past
  ])('%s → %s', (text, ymd) => {
    expect(resolvePromisedDate(text, asOf, tz)?.ymd ?? null).toBe(ymd);
  });
});

describe("dates read the client's way first", () => {
  test.each<[string, 'en' | 'fr' | 'de', string]>([
    ['Nous paierons le 3/4.', 'fr', '2027-04-03'],
    ['We will pay on 3/4.', 'en', '2027-03-04'],
    ['Wir zahlen am 3/4.', 'de', '2027-04-03'],
  ])('%s (%s client) → %s', (text, locale, ymd) => {
    expect(classifyReply({ text, subject: 'Re: Invoice', headers: {} }, asOf, tz, locale)).toMatchObject({ kind: 'promise', promisedDate: ymd });
  });
});
