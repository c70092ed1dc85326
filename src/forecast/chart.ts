import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import * as PImage from 'pureimage';
import type { CurrencyForecast } from '../domain/forecast.js';
import { currencyExponent, formatMoney, money } from '../domain/money.js';

/**
 * The forecast as a PNG bar chart, drawn in pure JavaScript (pureimage: no native build, no browser).
 * One panel per currency: a bar per bucket with its expected inflow, and the projected bank balance
 * as a line when a starting balance is known. Text needs a TrueType font: DejaVu Sans from the
 * `dejavu-fonts-ttf` package, loaded once.
 */
export interface ChartPanel {
  forecast: CurrencyForecast;
  projected: readonly number[] | null;
}

const WIDTH = 800;
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
  const image = PImage.make(WIDTH, PANEL_HEIGHT * Math.max(1, shown.length));
  const ctx = image.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, image.width, image.height);
  shown.forEach((panel, i) => drawPanel(ctx, panel, i * PANEL_HEIGHT));
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await PImage.encodePNGToStream(image, out);
  return Buffer.concat(chunks);
}

type Ctx = ReturnType<ReturnType<typeof PImage.make>['getContext']>;

function drawPanel(ctx: Ctx, { forecast: f, projected }: ChartPanel, top: number): void {
  const left = 70;
  const right = WIDTH - 30;
  const plotTop = top + 50;
  const plotBottom = top + PANEL_HEIGHT - 45;
  const values = [...f.weeks.map((w) => w.expected), ...(projected ?? []), 0];
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
    ctx.fillStyle = '#2eb67d';
    const top0 = Math.min(y(w.expected), y(0));
    ctx.fillRect(x, top0, width, Math.max(1, Math.abs(y(0) - y(w.expected))));
    ctx.fillStyle = '#1d1c1d';
    ctx.fillText(shortAmountLabel(w.expected, f.currency), x, top0 - 6);
    ctx.fillText(label(w.start, w.end), x, plotBottom + 22);
  });

  if (projected) {
    ctx.strokeStyle = '#1264a3';
    ctx.fillStyle = '#1264a3';
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
