import type { WaveMoney } from './wave-currency.js';
import { operation, type WaveMutationResult } from './wave-graphql.js';

/**
 * The GraphQL documents duebot sends to Wave, one constant each, with their result shapes. Field and
 * argument names follow Wave's public schema (developer.waveapps.com API reference, as mirrored by
 * independent clients): lists page with `page` (from 1) / `pageSize` and answer `pageInfo`.
 */

export interface PageInfo {
  currentPage: number;
  totalPages: number;
}
type Edges<T> = { pageInfo: PageInfo; edges: { node: T }[] };

export interface WaveBusiness {
  id: string;
  name: string;
  isPersonal: boolean;
  isClassicInvoicing: boolean;
  isArchived: boolean;
  currency: { code: string };
}

export interface WaveCustomer {
  id: string;
  name: string;
  email: string | null;
}

export interface WaveProduct {
  id: string;
  name: string;
  isArchived: boolean;
}

/** DRAFT, SAVED (approved), UNSENT, SENT, VIEWED, PARTIAL, UNPAID, OVERDUE, PAID, OVERPAID (the full enum is unconfirmed). */
export type WaveInvoiceStatus = string;

export interface WaveInvoice {
  id: string;
  status: WaveInvoiceStatus;
  invoiceNumber: string;
  invoiceDate: string;
  dueDate: string | null;
  viewUrl: string | null;
  pdfUrl: string | null;
  modifiedAt: string;
  customer: { id: string; name: string };
  currency: { code: string; exponent: number };
  total: WaveMoney;
  amountDue: WaveMoney;
  amountPaid: WaveMoney;
  taxTotal: WaveMoney;
  items: { taxes: { salesTax: { name: string } | null }[] | null }[] | null;
}

const MONEY = 'value currency { code exponent }';
const INVOICE = `id status invoiceNumber invoiceDate dueDate viewUrl pdfUrl modifiedAt
  customer { id name } currency { code exponent }
  total { ${MONEY} } amountDue { ${MONEY} } amountPaid { ${MONEY} } taxTotal { ${MONEY} }
  items { taxes { salesTax { name } } }`;
const RESULT = 'didSucceed inputErrors { code message path }';

export const BUSINESSES = operation<{ businesses: Edges<WaveBusiness> }, { page: number; pageSize: number }>(
  'Businesses',
  `query Businesses($page: Int!, $pageSize: Int!) {
  businesses(page: $page, pageSize: $pageSize) {
    pageInfo { currentPage totalPages }
    edges { node { id name isPersonal isClassicInvoicing isArchived currency { code } } }
  }
}`,
);

export const CURRENCY = operation<{ currency: { code: string; exponent: number } | null }, { code: string }>(
  'Currency',
  `query Currency($code: CurrencyCode!) { currency(code: $code) { code exponent } }`,
);

export const CUSTOMERS = operation<{ business: { customers: Edges<WaveCustomer> } | null }, { businessId: string; email: string | null; page: number; pageSize: number }>(
  'Customers',
  `query Customers($businessId: ID!, $email: String, $page: Int!, $pageSize: Int!) {
  business(id: $businessId) {
    customers(page: $page, pageSize: $pageSize, email: $email) {
      pageInfo { currentPage totalPages }
      edges { node { id name email } }
    }
  }
}`,
);

export const CUSTOMER_CREATE = operation<
  { customerCreate: WaveMutationResult & { customer: WaveCustomer | null } },
  { input: { businessId: string; name: string; email?: string; currency: string } }
>(
  'CustomerCreate',
  `mutation CustomerCreate($input: CustomerCreateInput!) {
  customerCreate(input: $input) { ${RESULT} customer { id name email } }
}`,
);

export const PRODUCTS = operation<{ business: { products: Edges<WaveProduct> } | null }, { businessId: string; page: number; pageSize: number }>(
  'Products',
  `query Products($businessId: ID!, $page: Int!, $pageSize: Int!) {
  business(id: $businessId) {
    products(page: $page, pageSize: $pageSize) {
      pageInfo { currentPage totalPages }
      edges { node { id name isArchived } }
    }
  }
}`,
);

export const INCOME_ACCOUNTS = operation<
  { business: { accounts: Edges<{ id: string; name: string; isArchived: boolean }> } | null },
  { businessId: string; page: number; pageSize: number }
>(
  'IncomeAccounts',
  `query IncomeAccounts($businessId: ID!, $page: Int!, $pageSize: Int!) {
  business(id: $businessId) {
    accounts(page: $page, pageSize: $pageSize, subtypes: [INCOME]) {
      pageInfo { currentPage totalPages }
      edges { node { id name isArchived } }
    }
  }
}`,
);

export const PRODUCT_CREATE = operation<
  { productCreate: WaveMutationResult & { product: WaveProduct | null } },
  { input: { businessId: string; name: string; description: string; unitPrice: string; incomeAccountId: string } }
>(
  'ProductCreate',
  `mutation ProductCreate($input: ProductCreateInput!) {
  productCreate(input: $input) { ${RESULT} product { id name isArchived } }
}`,
);

export const INVOICES = operation<
  { business: { invoices: Edges<WaveInvoice> } | null },
  { businessId: string; invoiceNumber: string | null; invoiceDateStart: string | null; page: number; pageSize: number }
>(
  'Invoices',
  `query Invoices($businessId: ID!, $invoiceNumber: String, $invoiceDateStart: Date, $page: Int!, $pageSize: Int!) {
  business(id: $businessId) {
    invoices(page: $page, pageSize: $pageSize, invoiceNumber: $invoiceNumber, invoiceDateStart: $invoiceDateStart) {
      pageInfo { currentPage totalPages }
      edges { node { ${INVOICE} } }
    }
  }
}`,
);

/** Invoices in one status (the filter takes one value), for the payment poll. */
export const INVOICES_IN_STATUS = operation<
  { business: { invoices: Edges<WaveInvoice> } | null },
  { businessId: string; status: WaveInvoiceStatus; page: number; pageSize: number }
>(
  'InvoicesInStatus',
  `query InvoicesInStatus($businessId: ID!, $status: InvoiceStatus!, $page: Int!, $pageSize: Int!) {
  business(id: $businessId) {
    invoices(page: $page, pageSize: $pageSize, status: $status) {
      pageInfo { currentPage totalPages }
      edges { node { ${INVOICE} } }
    }
  }
}`,
);

export const INVOICE_BY_ID = operation<{ business: { invoice: WaveInvoice | null } | null }, { businessId: string; invoiceId: string }>(
  'Invoice',
  `query Invoice($businessId: ID!, $invoiceId: ID!) {
  business(id: $businessId) { invoice(id: $invoiceId) { ${INVOICE} } }
}`,
);

export interface WaveInvoiceItemInput {
  productId: string;
  description: string;
  quantity: string;
  unitPrice: string;
  /** Absent: the product's default sales taxes apply; `[]`: none. */
  taxes?: { salesTaxId: string }[];
}

export const INVOICE_CREATE = operation<
  { invoiceCreate: WaveMutationResult & { invoice: WaveInvoice | null } },
  {
    input: {
      businessId: string;
      customerId: string;
      status: 'DRAFT';
      currency: string;
      invoiceNumber: string;
      invoiceDate: string;
      dueDate: string;
      memo: string;
      items: WaveInvoiceItemInput[];
    };
  }
>(
  'InvoiceCreate',
  `mutation InvoiceCreate($input: InvoiceCreateInput!) {
  invoiceCreate(input: $input) { ${RESULT} invoice { ${INVOICE} } }
}`,
);

export const INVOICE_APPROVE = operation<{ invoiceApprove: WaveMutationResult }, { input: { invoiceId: string } }>(
  'InvoiceApprove',
  `mutation InvoiceApprove($input: InvoiceApproveInput!) { invoiceApprove(input: $input) { ${RESULT} } }`,
);

export const INVOICE_MARK_SENT = operation<{ invoiceMarkSent: WaveMutationResult }, { input: { invoiceId: string; sendMethod: 'MARKED_SENT' } }>(
  'InvoiceMarkSent',
  `mutation InvoiceMarkSent($input: InvoiceMarkSentInput!) { invoiceMarkSent(input: $input) { ${RESULT} } }`,
);

export const INVOICE_DELETE = operation<{ invoiceDelete: WaveMutationResult }, { input: { invoiceId: string } }>(
  'InvoiceDelete',
  `mutation InvoiceDelete($input: InvoiceDeleteInput!) { invoiceDelete(input: $input) { ${RESULT} } }`,
);
