import { buildForecast, emptyCurrencyForecast, projectBalance } from '../../src/domain/forecast.js';
import { renderForecastChart } from '../../src/forecast/chart.js';

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
