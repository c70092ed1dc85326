import {
  add,
  formatMajorWithCode,
  formatMoney,
  MAX_AMOUNT_MINOR,
  money,
  multiply,
  parseMajor,
  parseQuantity,
  percentOf,
  sum,
  toMajorString,
  MoneyError,
} from '../../src/domain/money.js';
import { line, totalOf } from '../../src/domain/invoice.js';

describe('money', () => {
  test('parses major units exactly into minor units', () => {
    expect(parseMajor('1500', 'usd')).toEqual({ amount: 150000, currency: 'USD' });
    expect(parseMajor('1,500.5', 'USD').amount).toBe(150050);
    expect(parseMajor(0.1, 'USD').amount).toBe(10);
    expect(parseMajor(1234.56, 'EUR').amount).toBe(123456);
    expect(parseMajor('12000', 'JPY').amount).toBe(12000);
    expect(parseMajor('1.234', 'KWD').amount).toBe(1234);
    expect(parseMajor('-5', 'USD').amount).toBe(-500);
    expect(parseMajor('2.50', 'USD').amount).toBe(250);
  });

  test('rejects amounts it cannot represent', () => {
    expect(() => parseMajor('1.234', 'USD')).toThrow(MoneyError);
    expect(() => parseMajor('12.5', 'JPY')).toThrow(/decimals/);
    expect(() => parseMajor('abc', 'USD')).toThrow(/not an amount/);
    expect(() => parseMajor('', 'USD')).toThrow(MoneyError);
    expect(() => parseMajor(Number.NaN, 'USD')).toThrow(MoneyError);
    expect(() => parseMajor('1', 'US')).toThrow(/ISO 4217/);
    expect(() => money(1.5, 'USD')).toThrow(/integer/);
  });

  test('arithmetic refuses to mix currencies', () => {
    expect(add(money(100, 'USD'), money(250, 'USD'))).toEqual(money(350, 'USD'));
    expect(() => add(money(100, 'USD'), money(1, 'EUR'))).toThrow(/USD with EUR/);
    expect(sum([money(1, 'USD'), money(2, 'USD')], 'USD').amount).toBe(3);
    expect(sum([], 'GBP')).toEqual(money(0, 'GBP'));
  });

  test('multiplies by decimal quantities with half-away-from-zero rounding', () => {
    expect(multiply(money(15000, 'USD'), '2.5').amount).toBe(37500);
    expect(multiply(money(333, 'USD'), '0.5').amount).toBe(167);
    expect(multiply(money(-333, 'USD'), '0.5').amount).toBe(-167);
    expect(multiply(money(1000, 'USD'), 3).amount).toBe(3000);
    expect(() => multiply(money(1, 'USD'), 'x')).toThrow(MoneyError);
  });

  test('percentages in basis points', () => {
    expect(percentOf(money(10000, 'USD'), 825).amount).toBe(825);
    expect(percentOf(money(999, 'USD'), 2000).amount).toBe(200);
  });

  test('formats for APIs and for people', () => {
    expect(toMajorString(money(150000, 'USD'))).toBe('1500.00');
    expect(toMajorString(money(5, 'USD'))).toBe('0.05');
    expect(toMajorString(money(-5, 'USD'))).toBe('-0.05');
    expect(toMajorString(money(12000, 'JPY'))).toBe('12000');
    expect(formatMoney(money(150000, 'USD'))).toBe('$1,500.00');
    expect(formatMoney(money(98000, 'EUR'))).toBe('€980.00');
    expect(formatMoney(money(12000, 'JPY'))).toBe('¥12,000');
  });

  test('amounts beyond 15 digits of minor units are refused at parse, whichever way they come', () => {
    expect(parseMajor('9,999,999,999,999.99', 'USD').amount).toBe(MAX_AMOUNT_MINOR);
    expect(() => parseMajor('10000000000000', 'USD')).toThrow(/too large/);
    expect(() => parseMajor('90000000000000', 'USD')).toThrow(/too large/); // $90 trillion
    expect(() => parseMajor(9e13, 'USD')).toThrow(/too large/);
    expect(() => parseMajor('-10000000000000', 'USD')).toThrow(/too large/);
    expect(parseMajor('999999999999999', 'JPY').amount).toBe(MAX_AMOUNT_MINOR);
    expect(() => parseMajor('1000000000000.000', 'KWD')).toThrow(/too large/);
    expect(() => multiply(money(MAX_AMOUNT_MINOR, 'USD'), '1.01')).toThrow(/too large/);
  });

  test('tiny numbers are read digit by digit, never through exponent notation', () => {
    expect(() => parseMajor(1e-7, 'USD')).toThrow(/more decimals than USD allows/);
    expect(() => parseMajor('1e-7', 'USD')).toThrow(/not an amount/);
    expect(parseQuantity(1e-7)).toBe('0.0000001');
    expect(parseQuantity(' 2.5 ')).toBe('2.5');
  });

  test.each(['0', '0.000', '-1', '1e3', 'x', '', '1.'.padEnd(31, '1')])('quantity %j is refused', (quantity) => {
    expect(() => parseQuantity(quantity)).toThrow(MoneyError);
  });

  test('a line that rounds to zero or less is refused; a total beyond the limit too', () => {
    expect(() => line('Tiny', '0.0000001', 1000, 'USD')).toThrow('line "Tiny": 0.0000001 × 10.00 USD comes to 0.00 USD; a line must come to at least one USD minor unit');
    expect(() => line('Free', '1', 0, 'USD')).toThrow(/comes to 0\.00 USD/);
    expect(() => line('Negative', '2', -500, 'USD')).toThrow(/comes to -10\.00 USD/);
    expect(line('Half a cent rounds up', '0.5', 1, 'USD').amount).toBe(1);
    const big = line('Big', '1', MAX_AMOUNT_MINOR, 'USD');
    expect(() => totalOf([big, line('One cent', '1', 1, 'USD')], 'USD')).toThrow(/add up to more than 9,999,999,999,999\.99 USD/);
  });

  test('major units with the code for messages, exact', () => {
    expect(formatMajorWithCode(money(100_000_000, 'USD'))).toBe('1,000,000.00 USD');
    expect(formatMajorWithCode(money(MAX_AMOUNT_MINOR, 'USD'))).toBe('9,999,999,999,999.99 USD');
    expect(formatMajorWithCode(money(-123_456, 'JPY'))).toBe('-123,456 JPY');
    expect(formatMajorWithCode(money(1, 'KWD'))).toBe('0.001 KWD');
  });
});
