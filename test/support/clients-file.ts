/** A clients file with one client, Acme (id `acme`), in `currency`, plus `extra` YAML lines (indented four spaces). */
export const acmeClientsFile = (extra: string, currency = 'USD') => `
clients:
  - id: acme
    name: Acme Ltd
    emails: ap@acme.example
    currency: ${currency}
${extra}
`;
