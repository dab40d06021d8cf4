export interface SandboxOptions {
  /** Where to POST signed events; may be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /** `whsec_…`, used to sign `Stripe-Signature`. */
  webhookSecret: string;
  /** Base URL for hosted checkout links; defaults to the listening URL. */
  publicUrl?: string;
  /** Stripe's clock: `created`, `expires_at`, availability. Default real time. */
  now?: () => Date;
  /** Percentage part of the fee in basis points. Default 150 (1.5%). */
  feePercentBps?: number;
  /** Fixed part of the fee in minor units. Default 20. */
  feeFixed?: number;
  /** Waits before each retry of a failed delivery. Default [200, 1000, 5000]. */
  webhookRetryDelaysMs?: number[];
  /** Per-attempt timeout of a webhook POST. Default 10000. */
  webhookTimeoutMs?: number;
  /**
   * Clock for the `t=` of `Stripe-Signature`. Defaults to real time, not `now`, because
   * the SDK's `constructEvent` checks the timestamp against the real clock (5 min tolerance).
   */
  signatureClock?: () => Date;
  /** How often open sessions are checked against `expires_at`. Default 1000; 0 turns the timer off. */
  expirySweepMs?: number;
  /** Stripe's dispute fee in minor units. Default 2000 (£20, Stripe UK's fee). */
  disputeFee?: number;
}

export interface ResolvedOptions {
  webhookSecret: string;
  now: () => Date;
  feePercentBps: number;
  feeFixed: number;
  webhookRetryDelaysMs: number[];
  webhookTimeoutMs: number;
  signatureClock: () => Date;
  expirySweepMs: number;
  disputeFee: number;
}

export function resolveOptions(opts: SandboxOptions): ResolvedOptions {
  if (!opts.webhookSecret) throw new Error('payments sandbox: webhookSecret is required');
  return {
    webhookSecret: opts.webhookSecret,
    now: opts.now ?? (() => new Date()),
    feePercentBps: opts.feePercentBps ?? 150,
    feeFixed: opts.feeFixed ?? 20,
    webhookRetryDelaysMs: opts.webhookRetryDelaysMs ?? [200, 1000, 5000],
    webhookTimeoutMs: opts.webhookTimeoutMs ?? 10_000,
    signatureClock: opts.signatureClock ?? (() => new Date()),
    expirySweepMs: opts.expirySweepMs ?? 1000,
    disputeFee: opts.disputeFee ?? 2000,
  };
}
