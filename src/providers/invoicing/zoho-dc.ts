/**
 * Zoho's data centres: an account lives in one, and both its OAuth server and its API are on that
 * DC's hosts. The consent redirect names the DC (`location`, `accounts-server`); duebot maps that to
 * one of the hosts below and never calls a host taken from the query string, so a forged callback
 * cannot make duebot send the authorization code (or later the tokens) anywhere else.
 */
export const ZOHO_DATA_CENTRES = {
  us: { accounts: 'https://accounts.zoho.com', api: 'https://www.zohoapis.com' },
  eu: { accounts: 'https://accounts.zoho.eu', api: 'https://www.zohoapis.eu' },
  in: { accounts: 'https://accounts.zoho.in', api: 'https://www.zohoapis.in' },
  au: { accounts: 'https://accounts.zoho.com.au', api: 'https://www.zohoapis.com.au' },
  jp: { accounts: 'https://accounts.zoho.jp', api: 'https://www.zohoapis.jp' },
  // Canada's accounts server is on zohocloud.ca, not zoho.ca (Zoho Accounts' multi-DC page).
  ca: { accounts: 'https://accounts.zohocloud.ca', api: 'https://www.zohoapis.ca' },
} as const;

export type ZohoDataCentre = keyof typeof ZOHO_DATA_CENTRES;

export function isZohoDataCentre(value: string): value is ZohoDataCentre {
  return Object.hasOwn(ZOHO_DATA_CENTRES, value);
}

/** Where one DC's servers are: Zoho's hosts, or under `baseUrl/<dc>` when every host is overridden (tests). */
export function zohoHosts(dc: ZohoDataCentre, baseUrl: string | null): { accounts: string; api: string } {
  if (baseUrl) {
    const base = `${baseUrl.replace(/\/$/, '')}/${dc}`;
    return { accounts: base, api: base };
  }
  return ZOHO_DATA_CENTRES[dc];
}

/**
 * The DC a consent callback names, or an error saying why it is refused. `location` is the DC's code
 * ("eu"); `accounts-server`, when present, must be that DC's own accounts host (a mismatch means the
 * query was tampered with). Neither present: the US server, where the consent started.
 */
export function dataCentreFromCallback(query: URLSearchParams): { dc: ZohoDataCentre } | { error: string } {
  const location = query.get('location')?.trim().toLowerCase() ?? null;
  const server = query.get('accounts-server')?.trim().replace(/\/$/, '').toLowerCase() ?? null;
  let dc: ZohoDataCentre | null = null;
  if (location !== null) {
    if (!isZohoDataCentre(location)) return { error: `unknown Zoho data centre "${location.slice(0, 40)}"` };
    dc = location;
  }
  if (server !== null) {
    const byHost = (Object.keys(ZOHO_DATA_CENTRES) as ZohoDataCentre[]).find((key) => ZOHO_DATA_CENTRES[key].accounts === server) ?? null;
    if (!byHost) return { error: 'the callback names an accounts server that is not one of Zoho’s' };
    if (dc && byHost !== dc) return { error: `the callback's accounts server is not the one of data centre "${dc}"` };
    dc = byHost;
  }
  return { dc: dc ?? 'us' };
}
