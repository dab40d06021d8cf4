import type { Knex } from 'knex';
import type Stripe from 'stripe';
import type { PaymentGateway } from './bookings';
import type { Config } from './config';
import type { GroupCommit } from './db/group-commit';
import type { Clock } from './lib/clock';
import type { Logger } from './lib/logger';
import type { EmailComposer } from './mail/compose';
import type { TemplateRegistry } from './mail/templates';
import type { RateLimits } from './web/rate-limit';

/**
 * Finance documents (invoices, receipts, credit notes) issued in the caller's transaction, under the lock it holds:
 * implemented by finance/documents, so that bookings/ and payments/ need not import finance/. Each call is idempotent.
 */
export interface FinanceDocumentIssuer {
  /** An invoice booking was confirmed (placed, or given a place from the waitlist): issue its invoice. */
  invoiceConfirmed(trx: Knex.Transaction, bookingId: number): Promise<void>;
  /** A card payment was recorded: issue its receipt. */
  cardPaymentRecorded(trx: Knex.Transaction, paymentId: number): Promise<void>;
  /**
   * A card payment against an invoice (a session made by "pay by card instead") was recorded: when the invoice is now
   * paid in full, close it as paid and issue the paid-in-full receipt, as a bank payment would; anything above what
   * the invoice asked for stays an overpayment, shown to the treasurer.
   */
  invoicePaidByCard(trx: Knex.Transaction, paymentId: number): Promise<void>;
  /** What an invoice booking's invoice still asks for (invoiced − credited − paid, never below zero); 0 once closed. */
  invoiceOutstanding(db: Knex | Knex.Transaction, bookingId: number): Promise<number>;
  /** The card payment provider took a refund (pending or succeeded): issue its credit note. */
  refundTaken(trx: Knex.Transaction, refundId: number): Promise<void>;
  /** A booking's documents, in the order they were issued, for its private page (which links each PDF). */
  ofBooking(bookingId: number): Promise<Array<{ kind: 'invoice' | 'receipt' | 'credit_note'; label: string; number: string; issueDate: string; amount: string }>>;
}

/** What services need; routes build it once in createApp and pass it down. */
export interface ServiceContext {
  db: Knex;
  clock: Clock;
  /** Structured log lines; every caught error that is not rethrown or recorded is logged here with context. */
  logger: Logger;
  config: Config;
  emails: EmailComposer;
  /** The renderers of deferred emails, by template name: the outbox sender renders each queued email with them. */
  emailTemplates: TemplateRegistry<ServiceContext>;
  /** The Stripe client, for payments/ and finance/ only: bookings/ reaches Stripe through `payments`. */
  stripe?: Stripe;
  /** The card payment provider behind a port (bookings/payment-gateway.ts); "unavailable" when no Stripe key is set. */
  payments: PaymentGateway;
  /** Issues finance documents in the caller's transaction (finance/documents/issuer.ts). */
  documents: FinanceDocumentIssuer;
  /** Write transactions shared by bookings for one event that arrive together: see db/group-commit.ts. */
  groupCommit: GroupCommit;
  /** The abuse limits, shared by every instance through the database (web/rate-limit.ts). */
  limits: RateLimits;
  /** Wakes the outbox sender after a commit that queued mail, so it goes out at once. */
  kickOutbox(): void;
  /**
   * Tells the Stripe sync that Stripe reported something (a verified webhook), so the treasurer's figures catch up
   * within seconds instead of at the next 15-minute run; the job runner debounces it (jobs/runner.ts wireSignals).
   */
  kickStripeSync(): void;
}
