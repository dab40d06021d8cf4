/**
 * A Stripe-compatible payments sandbox: Stripe's HTTP API for the calls the app makes,
 * a hosted checkout page, and signed webhooks, all in memory. See README.md here.
 */
export { createSandboxApp, createSandboxCore, type SandboxCore } from './app';
export type { SandboxControls } from './control';
export type { DisputeOptions } from './dispute-service';
export { API_VERSION } from './events';
export type { SandboxEvent } from './fixtures';
export { formatMoney, computeFee } from './money';
export type { SandboxOptions } from './options';
export type { AsyncOutcome, PayOptions } from './payment-service';
export type { PayoutOptions } from './payout-service';
export type { PlantedPayment, PlantPaymentInput } from './plant-service';
export { type Sandbox, type StartSandboxOptions, startSandbox, stripeConfigFor } from './server';
export type { DeliveryRecord, DeliverySettings, ReleaseOrder } from './webhook-delivery';
export { signatureHeader } from './webhook-signing';
