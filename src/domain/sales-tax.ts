/** Names shown for a tax service's tax (src/usecases/sales-tax.ts), in Slack and on the back-end invoice. */
const SERVICE_NAMES: Record<string, string> = { taxjar: 'TaxJar', avalara: 'Avalara' };

export const taxServiceDisplayName = (service: string) => (Object.hasOwn(SERVICE_NAMES, service) ? SERVICE_NAMES[service]! : service);

/** What the client sees on the invoice: "Sales tax (NY)". */
export const salesTaxName = (region: string) => `Sales tax (${region})`;
