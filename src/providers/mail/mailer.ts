/** The port for outgoing email. */
export interface Mailer {
  send(email: OutgoingEmail): Promise<SentEmail>;
  close(): Promise<void>;
  /** Checks the server answers (and accepts our credentials) without sending anything; rejects when not. */
  verify?(): Promise<void>;
  /** Where mail goes, for `/invoices status` (no credentials), e.g. "smtp.example.com:587". */
  readonly describe?: string;
}

/** What an email is, for the metrics (duebot_emails_total{kind}). */
export const EMAIL_KINDS = ['invoice', 'reminder_friendly', 'reminder_firm', 'final_notice', 'credit', 'reply', 'weekly_summary', 'statement'] as const;
export type EmailKind = (typeof EMAIL_KINDS)[number];

export interface OutgoingEmail {
  kind: EmailKind;
  to: string[];
  subject: string;
  text: string;
  html: string;
  replyTo?: string;
  /** Set by the caller so the id is known (and stored) before the send; threads replies to invoices. */
  messageId: string;
  inReplyTo?: string;
  references?: string[];
  /** e.g. the invoice PDF when there is no payment link to open it from. */
  attachments?: EmailAttachment[];
}

export interface EmailAttachment {
  filename: string;
  content: Buffer;
  contentType: string;
  /** Content-ID: shown inline where the HTML says `<img src="cid:…">` instead of as a separate file. */
  cid?: string;
}

export interface SentEmail {
  messageId: string;
  /** Envelope recipients the server accepted. */
  accepted: string[];
  /** Recipients the server refused for good (5yz at RCPT TO) while accepting others: bounces. */
  refused?: RecipientRefusal[];
}

/** A recipient the SMTP server refused permanently, with its reply (outside text). */
export interface RecipientRefusal {
  address: string;
  code: number;
  reason: string;
}
