import { projectCashPosition } from '../../src/domain/cash-position.js';
import { buildForecast, emptyCurrencyForecast } from '../../src/domain/forecast.js';
import { Readable } from 'node:stream';
import * as PImage from 'pureimage';
import { CHART_COLORS, renderForecastChart, shortAmountLabel } from '../../src/forecast/chart.js';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('forecast chart', () => {
  test('a PNG with one 800x300 panel per currency', async () => {
    const f = buildForecast([{ customer: 'A', number: '1', invoiceDate: '2026-02-01', dueDate: '2026-03-04', amount: 150000, currency: 'USD', paidDate: null }], '2026-03-02');
    const usd = f.currencies[0]!;
    const png = await renderForecastChart([
      { forecast: usd, projected: projectCashPosition(usd.weeks, 1000000) },
      { forecast: emptyCurrencyForecast('2026-03-02', 'EUR'), projected: null },
    ]);
    expect(png.subarray(0, 8)).toEqual(PNG_SIGNATURE);
    // IHDR: width and height are the big-endian integers at bytes 16..23.
    expect(png.readUInt32BE(16)).toBe(800);
    expect(png.readUInt32BE(20)).toBe(600);
  });
});

describe('the likely range, the bills due and the past weeks are drawn', () => {
  const rgba = (hex: string) => (parseInt(hex.slice(1), 16) * 256 + 0xff) >>> 0;
  const WHITE = 0xffffffff;
  // Week 1 expects $1,500 within $1,000-$2,000 (p10-p90, as the distribution model will give it);
  // week 3 has $500 of bills due. Scale: $2,000 at the top (y 50), -$500 at the bottom (y 255), so
  // $1,000 is at y 132 and 0 at y 214; week i spans x 70+140i … 210+140i, the band its middle 80 %.
  const forecast = buildForecast([{ customer: 'A', number: '1', invoiceDate: '2026-02-01', dueDate: '2026-03-04', amount: 150000, currency: 'USD', paidDate: null }], '2026-03-02');
  const usd = forecast.currencies[0]!;
  const weeks = usd.weeks.map((w, i) => (i === 0 ? { ...w, range: { p10: 100000, p90: 200000 } } : w));
  const past = [
    { start: '2026-02-03', expected: 90000, actual: 40000 },
    { start: '2026-02-10', expected: 50000, actual: 100000 },
  ];
  let image: Awaited<ReturnType<typeof PImage.decodePNGFromStream>>;
  beforeAll(async () => {
    const png = await renderForecastChart([{ forecast: { ...usd, weeks }, projected: null, outflows: [0, 0, 50000, 0, 0], accuracy: past }]);
    image = await PImage.decodePNGFromStream(Readable.from(png));
  });

  test('the image is wider by the past-weeks panel', () => {
    expect([image.width, image.height]).toEqual([1060, 300]);
  });

  test('a band from p10 to p90 beside week 1 bar, none where no range is given', () => {
    // x 90: inside the band (84-196), left of the bar (98-182).
    expect(image.getPixelRGBA(90, 60)).toBe(rgba(CHART_COLORS.band));
    expect(image.getPixelRGBA(90, 125)).toBe(rgba(CHART_COLORS.band));
    expect(image.getPixelRGBA(90, 145)).toBe(WHITE); // below p10
    expect(image.getPixelRGBA(230, 60)).toBe(WHITE); // week 2: no range
    expect(image.getPixelRGBA(140, 180)).toBe(rgba(CHART_COLORS.inflow)); // the bar itself, $1,500 down to 0
  });

  test('bills due as a bar below zero in their week', () => {
    expect(image.getPixelRGBA(420, 235)).toBe(rgba(CHART_COLORS.outflow));
    expect(image.getPixelRGBA(280, 235)).toBe(WHITE);
  });

  test('past weeks: forecast and collected side by side', () => {
    // Week of Feb 3: forecast $900 (grey, 816-836), collected $400 (green, 836-856); scale $1,000 = 175 px.
    expect(image.getPixelRGBA(826, 250)).toBe(rgba(CHART_COLORS.past));
    expect(image.getPixelRGBA(846, 250)).toBe(rgba(CHART_COLORS.inflow));
    expect(image.getPixelRGBA(846, 150)).toBe(WHITE); // $400 reaches only y 185
    expect(image.getPixelRGBA(826, 150)).toBe(rgba(CHART_COLORS.past)); // $900 reaches y 97
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
