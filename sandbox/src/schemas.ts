import { z } from 'zod';
import { expandParam, intString, metadataParam, pageParams, positiveInt, rangeParam } from './params';

const currencyParam = z
  .string()
  .regex(/^[a-zA-Z]{3}$/, 'must be a three-letter ISO currency code')
  .transform((code) => code.toLowerCase());

/** Stripe wants absolute http(s) URLs for redirects. */
const redirectUrl = z.url({ protocol: /^https?$/, error: 'must be an absolute http or https URL' });

const lineItemParam = z.strictObject({
  quantity: positiveInt,
  price_data: z.strictObject({
    currency: currencyParam,
    unit_amount: intString.pipe(z.number().int().min(0, 'must be at least 0')),
    product_data: z.strictObject({
      name: z.string().min(1, 'must not be empty'),
      description: z.string().optional(),
      metadata: metadataParam.optional(),
    }),
  }),
});

/** Stripe params the sandbox accepts and ignores, so an app may send them; anything else is rejected like Stripe does. */
const ignoredSessionParams = {
  billing_address_collection: z.string().optional(),
  customer_creation: z.string().optional(),
  submit_type: z.string().optional(),
  ui_mode: z.literal('hosted_page').optional(),
  phone_number_collection: z.record(z.string(), z.string()).optional(),
};

export const createSessionSchema = z.strictObject({
  mode: z.literal('payment', 'the sandbox supports only mode=payment'),
  line_items: z.array(lineItemParam).min(1, 'must have at least one item').max(100),
  client_reference_id: z.string().max(200).optional(),
  customer_email: z.email('must be an email address').optional(),
  metadata: metadataParam.optional(),
  payment_intent_data: z
    .strictObject({ metadata: metadataParam.optional(), description: z.string().optional() })
    .optional(),
  expires_at: intString.optional(),
  success_url: redirectUrl.optional(),
  cancel_url: redirectUrl.optional(),
  locale: z.string().optional(),
  expand: expandParam,
  ...ignoredSessionParams,
});

export const retrieveSchema = z.strictObject({ expand: expandParam });

export const listSessionsSchema = z.strictObject({
  ...pageParams,
  payment_intent: z.string().optional(),
  status: z.enum(['open', 'complete', 'expired']).optional(),
  created: rangeParam.optional(),
});

export const listPageSchema = z.strictObject({ ...pageParams });

export const listDisputesSchema = z.strictObject({
  ...pageParams,
  charge: z.string().optional(),
  payment_intent: z.string().optional(),
  created: rangeParam.optional(),
});

export const listChargesSchema = z.strictObject({
  ...pageParams,
  payment_intent: z.string().optional(),
  created: rangeParam.optional(),
});

export const createRefundSchema = z.strictObject({
  payment_intent: z.string().optional(),
  charge: z.string().optional(),
  amount: positiveInt.optional(),
  reason: z.enum(['duplicate', 'fraudulent', 'requested_by_customer']).optional(),
  metadata: metadataParam.optional(),
  expand: expandParam,
});

export const listRefundsSchema = z.strictObject({
  ...pageParams,
  charge: z.string().optional(),
  payment_intent: z.string().optional(),
  created: rangeParam.optional(),
});

export const listBalanceTransactionsSchema = z.strictObject({
  ...pageParams,
  payout: z.string().optional(),
  type: z.string().optional(),
  source: z.string().optional(),
  currency: currencyParam.optional(),
  created: rangeParam.optional(),
});

export const listPayoutsSchema = z.strictObject({
  ...pageParams,
  status: z.enum(['pending', 'paid', 'failed', 'canceled', 'in_transit']).optional(),
  created: rangeParam.optional(),
  arrival_date: rangeParam.optional(),
});

export const listEventsSchema = z.strictObject({
  ...pageParams,
  type: z.string().optional(),
  types: z.array(z.string()).optional(),
  created: rangeParam.optional(),
});
