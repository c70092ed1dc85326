/**
 * Sales-tax rates the tax stand-ins (fake-taxjar.ts, fake-avalara.ts) answer with, per US state, split
 * into jurisdictions as Avalara reports them. Rates in hundred-thousandths (8875 = 8.875%), so the fakes
 * compute tax on whole cents with integers; zip prefixes let them refuse a zip from another state.
 */
export interface Jurisdiction {
  name: string;
  /** Avalara's jurisType: STA (state), CTY (county), CIT (city), STJ (special). */
  type: 'STA' | 'CTY' | 'CIT' | 'STJ';
  rate: number;
}

export const STATE_RATES: Record<string, { zips: string[]; county: string; city: string; jurisdictions: Jurisdiction[] }> = {
  NY: {
    zips: ['10', '11', '12', '13', '14'],
    county: 'NEW YORK',
    city: 'NEW YORK',
    jurisdictions: [
      { name: 'NEW YORK', type: 'STA', rate: 4000 },
      { name: 'NEW YORK CITY', type: 'CIT', rate: 4500 },
      { name: 'METROPOLITAN COMMUTER TRANSPORTATION DISTRICT', type: 'STJ', rate: 375 },
    ],
  },
  WA: {
    zips: ['98', '99'],
    county: 'KING',
    city: 'SEATTLE',
    jurisdictions: [
      { name: 'WASHINGTON', type: 'STA', rate: 6500 },
      { name: 'SEATTLE', type: 'CIT', rate: 3600 },
    ],
  },
  CA: {
    zips: ['90', '91', '92', '93', '94', '95', '96'],
    county: 'LOS ANGELES',
    city: 'LOS ANGELES',
    jurisdictions: [
      { name: 'CALIFORNIA', type: 'STA', rate: 6000 },
      { name: 'LOS ANGELES', type: 'CTY', rate: 2500 },
      { name: 'LOS ANGELES COUNTY DISTRICT TAX', type: 'STJ', rate: 1000 },
    ],
  },
  TX: {
    zips: ['75', '76', '77', '78', '79'],
    county: 'TRAVIS',
    city: 'AUSTIN',
    jurisdictions: [
      { name: 'TEXAS', type: 'STA', rate: 6250 },
      { name: 'AUSTIN', type: 'CIT', rate: 2000 },
    ],
  },
  OR: { zips: ['97'], county: 'MULTNOMAH', city: 'PORTLAND', jurisdictions: [] },
};

export const combinedRate = (state: string) => (STATE_RATES[state]?.jurisdictions ?? []).reduce((sum, j) => sum + j.rate, 0);

/** Tax on `cents` at `rate` hundred-thousandths, rounded half up to the cent. */
export const taxOn = (cents: number, rate: number) => Math.floor((cents * rate + 50_000) / 100_000);

/** A rate in hundred-thousandths as the decimal fraction services send (8875 → 0.08875). */
export const fraction = (rate: number) => rate / 100_000;

/** A major-unit JSON number as whole cents (the fakes only ever see two-decimal currencies). */
export const cents = (major: unknown) => Math.round(Number(major) * 100);

export const zipMatches = (state: string, zip: string) => (STATE_RATES[state]?.zips ?? []).some((p) => zip.startsWith(p));
