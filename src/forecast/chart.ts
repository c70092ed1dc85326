import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import * as PImage from 'pureimage';
import type { CurrencyForecast } from '../domain/forecast.js';
import { currencyExponent, formatMoney, money } from '../domain/money.js';

/**
 * The forecast as a PNG bar chart, drawn in pure JavaScript (pureimage: no native build, no browser).
 * One panel per currency: a bar per bucket with its expected inflow, the likely range (10th-90th
 * percentile) as a band with whiskers where the model gives one, the bills due as bars below zero, and
 * the projected bank balance as a line when a starting balance is known. Beside it, when given, the
 * last weeks' forecast against what was collected. Text needs a TrueType font: DejaVu Sans from the
 * `dejavu-fonts-ttf` package, loaded once.
 */
export interface ChartPanel {
  forecast: CurrencyForecast;
  projected: readonly number[] | null;
  /** Bills due per bucket (minor units); absent or null: outflows unknown, nothing drawn. */
  outflows?: readonly number[] | null;
  /** Past weeks, oldest first: what the forecast expected in its first week and what came in. */
  accuracy?: readonly PastWeek[];
}

export interface PastWeek {
  /** YYYY-MM-DD: the first day of the week judged. */
  start: string;
  expected: number;
  actual: number;
}

/** Colours the tests look for, so a change of palette is one edit. */
export const CHART_COLORS = { inflow: '#2eb67d', band: '#b7e4cf', whisker: '#0b6e4f', outflow: '#e01e5a', balance: '#1264a3', past: '#9a9a9a' } as const;

const WIDTH = 800;
/** The accuracy panel to the right of the chart, when any panel has past weeks. */
const SIDE_WIDTH = 260;
const PAST_WEEKS_SHOWN = 4;
const PANEL_HEIGHT = 300;
const MAX_PANELS = 4;
const FONT = 'DejaVu Sans';
let fontLoaded: Promise<void> | null = null;

function loadFont(): Promise<void> {
  if (!fontLoaded) {
    const path = createRequire(import.meta.url).resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf');
    fontLoaded = PImage.registerFont(path, FONT).loadPromise();
  }
  return fontLoaded;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const label = (start: string, end: string) => {
  const [, sm, sd] = start.split('-').map(Number) as [number, number, number];
  const [, em, ed] = end.split('-').map(Number) as [number, number, number];
  return sm === em ? `${MONTHS[sm - 1]} ${sd}–${ed}` : `${MONTHS[sm - 1]} ${sd}–${MONTHS[em - 1]} ${ed}`;
};
/**
 * Short amounts for chart labels only: "$12.5k", "€980". Integer arithmetic on minor units (BigInt),
 * rounded half up, so no float ever touches the amount.
 */
export const shortAmountLabel = (amount: number, currency: string) => {
  const minorPerMajor = 10n ** BigInt(currencyExponent(currency));
  const abs = BigInt(Math.abs(amount));
  if (abs / minorPerMajor < 10_000n) return formatMoney(money(amount, currency)).replace(/\.\d+$/, '');
  const symbol = formatMoney(money(0, currency)).replace(/[\d.,\s]/g, '');
  const rounded = (unit: bigint) => (abs + unit / 2n) / unit;
  const tenthsOfK = rounded(100n * minorPerMajor);
  const k = tenthsOfK >= 1000n ? `${rounded(1000n * minorPerMajor)}` : `${tenthsOfK / 10n}.${tenthsOfK % 10n}`;
  return `${amount < 0 ? '-' : ''}${symbol}${k}k`;
};

export async function renderForecastChart(panels: readonly ChartPanel[]): Promise<Buffer> {
  await loadFont();
  const shown = panels.slice(0, MAX_PANELS);
  const side = shown.some((p) => p.accuracy?.length);
  const image = PImage.make(WIDTH + (side ? SIDE_WIDTH : 0), PANEL_HEIGHT * Math.max(1, shown.length));
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, image.width, image.height);
  shown.forEach((panel, i) => {
    drawPanel(ctx, panel, i * PANEL_HEIGHT);
    if (side) drawPastWeeks(ctx, panel, i * PANEL_HEIGHT);
  });
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await PImage.encodePNGToStream(image, out);
  return Buffer.concat(chunks);
}

type Ctx = ReturnType<ReturnType<typeof PImage.make>['getContext']>;

function drawPanel(ctx: Ctx, { forecast: f, projected, outflows }: ChartPanel, top: number): void {
  const left = 70;
  const right = WIDTH - 30;
  const plotTop = top + 50;
  const plotBottom = top + PANEL_HEIGHT - 45;
  const values = [...f.weeks.flatMap((w) => [w.expected, w.range?.p90 ?? 0]), ...(projected ?? []), ...(outflows ?? []).map((o) => -o), 0];
  const max = Math.max(...values) || 1;
  const min = Math.min(...values);
  const y = (v: number) => plotBottom - ((v - min) / (max - min || 1)) * (plotBottom - plotTop);

  ctx.fillStyle = '#1d1c1d';
  ctx.font = `16pt '${FONT}'`;
  ctx.fillText(`Expected inflows, ${f.currency} (next 30 days: ${shortAmountLabel(f.total30d, f.currency)})`, left, top + 28);

  ctx.strokeStyle = '#bbbbbb';
  ctx.lineWidth = 1;
  ctx.beginPath();
  ctx.moveTo(left, y(0));
  ctx.lineTo(right, y(0));
  ctx.stroke();

  const slot = (right - left) / f.weeks.length;
  ctx.font = `11pt '${FONT}'`;
  f.weeks.forEach((w, i) => {
    const x = left + i * slot + slot * 0.2;
    const width = slot * 0.6;
    // The likely range behind the bar: a band wider than the bar, whiskers at its ends. None when the
    // range is the amount itself (one date per invoice): nothing to show, and a zero-length line upsets pureimage.
    if (w.range && w.range.p90 !== w.range.p10) {
      const [high, low] = [y(w.range.p90), y(w.range.p10)];
      ctx.fillStyle = CHART_COLORS.band;
      ctx.fillRect(left + i * slot + slot * 0.1, high, slot * 0.8, Math.max(1, low - high));
      ctx.strokeStyle = CHART_COLORS.whisker;
      ctx.lineWidth = 2;
      ctx.beginPath();
      for (const end of [high, low]) {
        ctx.moveTo(left + i * slot + slot * 0.35, end);
        ctx.lineTo(left + i * slot + slot * 0.65, end);
      }
      ctx.moveTo(left + i * slot + slot / 2, high);
      ctx.lineTo(left + i * slot + slot / 2, low);
      ctx.stroke();
    }
    ctx.fillStyle = CHART_COLORS.inflow;
    const top0 = Math.min(y(w.expected), y(0));
    ctx.fillRect(x, top0, width, Math.max(1, Math.abs(y(0) - y(w.expected))));
    const out = outflows?.[i] ?? 0;
    if (out > 0) {
      ctx.fillStyle = CHART_COLORS.outflow;
      ctx.fillRect(x + width * 0.15, y(0), width * 0.7, Math.max(1, y(-out) - y(0)));
    }
    ctx.fillStyle = '#1d1c1d';
    ctx.fillText(shortAmountLabel(w.expected, f.currency), x, Math.min(top0, w.range ? y(w.range.p90) : top0) - 6);
    ctx.fillText(label(w.start, w.end), x, plotBottom + 22);
  });
  if (outflows) {
    ctx.fillStyle = CHART_COLORS.outflow;
    ctx.fillText(
      `Bills due ${shortAmountLabel(
        outflows.reduce((a, b) => a + b, 0),
        f.currency,
      )}`,
      left,
      plotBottom + 40,
    );
  }
  if (f.weeks.some((w) => w.range)) {
    ctx.fillStyle = CHART_COLORS.whisker;
    ctx.fillText('Shaded: likely range (10th–90th percentile)', left + 200, plotBottom + 40);
  }

  if (projected) {
    ctx.strokeStyle = CHART_COLORS.balance;
    ctx.fillStyle = CHART_COLORS.balance;
    ctx.lineWidth = 3;
    ctx.beginPath();
    projected.forEach((v, i) => {
      const px = left + i * slot + slot / 2;
      if (i === 0) ctx.moveTo(px, y(v));
      else ctx.lineTo(px, y(v));
    });
    ctx.stroke();
    projected.forEach((v, i) => ctx.fillRect(left + i * slot + slot / 2 - 4, y(v) - 4, 8, 8));
    ctx.fillText(`Bank balance ${shortAmountLabel(projected[projected.length - 1]!, f.currency)}`, right - 190, top + 28);
  }
}

/** Beside the chart: the last weeks' forecast (grey) against what was collected (green), one pair of bars each. */
function drawPastWeeks(ctx: Ctx, { forecast: f, accuracy }: ChartPanel, top: number): void {
  const left = WIDTH + 10;
  const right = WIDTH + SIDE_WIDTH - 20;
  const plotTop = top + 80;
  const plotBottom = top + PANEL_HEIGHT - 45;
  const weeks = (accuracy ?? []).slice(-PAST_WEEKS_SHOWN);
  ctx.fillStyle = '#1d1c1d';
  ctx.font = `12pt '${FONT}'`;
  if (!weeks.length) {
    ctx.fillText('No past week judged yet', left, top + 28);
    return;
  }
  ctx.fillText(`Last ${weeks.length === 1 ? 'week' : `${weeks.length} weeks`}, ${f.currency}`, left, top + 28);
  ctx.font = `10pt '${FONT}'`;
  ctx.fillStyle = CHART_COLORS.past;
  ctx.fillText('forecast', left, top + 50);
  ctx.fillStyle = CHART_COLORS.inflow;
  ctx.fillText('collected', left + 80, top + 50);
  const max = Math.max(1, ...weeks.flatMap((w) => [w.expected, w.actual]));
  const h = (v: number) => Math.max(1, (Math.max(0, v) / max) * (plotBottom - plotTop));
  const slot = (right - left) / PAST_WEEKS_SHOWN;
  weeks.forEach((w, i) => {
    const x = left + i * slot + slot * 0.1;
    const bar = slot * 0.35;
    ctx.fillStyle = CHART_COLORS.past;
    ctx.fillRect(x, plotBottom - h(w.expected), bar, h(w.expected));
    ctx.fillStyle = CHART_COLORS.inflow;
    ctx.fillRect(x + bar, plotBottom - h(w.actual), bar, h(w.actual));
    ctx.fillStyle = '#1d1c1d';
    const [, m, d] = w.start.split('-').map(Number) as [number, number, number];
    ctx.fillText(`${MONTHS[m - 1]} ${d}`, x, plotBottom + 18);
  });
}
