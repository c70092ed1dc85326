import { add, formatMoney, money, multiply, parseMajor, percentOf, sum, toMajorString, MoneyError } from '../../src/domain/money.js';

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
});
