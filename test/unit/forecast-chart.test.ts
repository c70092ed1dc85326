import { buildForecast, emptyCurrencyForecast, projectBalance } from '../../src/domain/forecast.js';
import { renderForecastChart, shortAmountLabel } from '../../src/forecast/chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('forecast chart', () => {
  test('a PNG with one 800x300 panel per currency', async () => {
    const f = buildForecast([{ customer: 'A', number: '1', invoiceDate: '2026-02-01', dueDate: '2026-03-04', amount: 150000, currency: 'USD', paidDate: null }], '2026-03-02');
    const usd = f.currencies[0]!;
    const png = await renderForecastChart([
      { forecast: usd, projected: projectBalance(usd.weeks, 1000000) },
      { forecast: emptyCurrencyForecast('2026-03-02', 'EUR'), projected: null },
    ]);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // IHDR: width and height are the big-endian integers at bytes 16..23.
    expect(png.readUInt32BE(16)).toBe(800);
    expect(png.readUInt32BE(20)).toBe(600);
  });
});

describe('chart labels shorten amounts with integer arithmetic', () => {
  test('under 10,000 the whole amount, above it tenths of thousands, from 100k whole thousands (half up)', () => {
    expect(shortAmountLabel(999_999, 'USD')).toBe('$9,999');
    expect(shortAmountLabel(98_765, 'USD')).toBe('$987');
    expect(shortAmountLabel(1_234_500, 'USD')).toBe('$12.3k');
    expect(shortAmountLabel(1_004_999, 'USD')).toBe('$10.0k');
    expect(shortAmountLabel(1_005_000, 'USD')).toBe('$10.1k');
    expect(shortAmountLabel(9_995_000, 'USD')).toBe('$100k');
    expect(shortAmountLabel(123_456_789, 'USD')).toBe('$1235k');
    expect(shortAmountLabel(-1_500_000, 'USD')).toBe('-$15.0k');
    expect(shortAmountLabel(2_500_000, 'JPY')).toBe('¥2500k');
  });
});
