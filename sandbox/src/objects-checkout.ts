import type Stripe from 'stripe';
import { fromFixture } from './fixtures';
import { newId } from './ids';

export interface LineItemInput {
  quantity: number;
  price_data: {
    currency: string;
    unit_amount: number;
    product_data: { name: string; description?: string; metadata?: Record<string, string> };
  };
}

/** `price_data` makes a one-off Product and Price, as Stripe does; the item embeds the Price. */
export function buildLineItem(input: LineItemInput, created: number): { item: Stripe.LineItem; product: Stripe.Product } {
  const { price_data: priceData, quantity } = input;
  const product = fromFixture('product');
  Object.assign(product, {
    id: newId('prod'),
    created,
    updated: created,
    name: priceData.product_data.name,
    description: priceData.product_data.description ?? null,
    metadata: priceData.product_data.metadata ?? {},
    default_price: null,
  });
  const price = fromFixture('price');
  Object.assign(price, {
    id: newId('price'),
    created,
    currency: priceData.currency,
    product: product.id,
    unit_amount: priceData.unit_amount,
    unit_amount_decimal: String(priceData.unit_amount),
    active: false,
  });
  const item = fromFixture('item');
  const amount = priceData.unit_amount * quantity;
  Object.assign(item, {
    id: newId('li'),
    amount_discount: 0,
    amount_subtotal: amount,
    amount_tax: 0,
    amount_total: amount,
    currency: priceData.currency,
    description: priceData.product_data.name,
    price,
    quantity,
  });
  return { item, product };
}

export interface SessionFields {
  amountTotal: number;
  currency: string;
  created: number;
  expiresAt: number;
  url: string;
  clientReferenceId: string | null;
  customerEmail: string | null;
  metadata: Record<string, string>;
  successUrl: string | null;
  cancelUrl: string | null;
  locale: string | null;
}

export function buildSession(id: string, fields: SessionFields): Stripe.Checkout.Session {
  const session = fromFixture('checkout.session');
  Object.assign(session, {
    id,
    amount_subtotal: fields.amountTotal,
    amount_total: fields.amountTotal,
    cancel_url: fields.cancelUrl,
    client_reference_id: fields.clientReferenceId,
    created: fields.created,
    currency: fields.currency,
    customer_details: null,
    customer_email: fields.customerEmail,
    expires_at: fields.expiresAt,
    locale: fields.locale,
    metadata: fields.metadata,
    mode: 'payment',
    payment_intent: null,
    payment_status: 'unpaid',
    status: 'open',
    success_url: fields.successUrl,
    ui_mode: 'hosted_page',
    url: fields.url,
  });
  return session;
}

/** Filled in when the buyer pays, from the fixture's own example so the shape stays Stripe's. */
export function buildCustomerDetails(email: string, name: string | null): Stripe.Checkout.Session.CustomerDetails {
  const details = fromFixture('checkout.session').customer_details;
  if (!details) throw new Error('fixture checkout.session has no customer_details');
  return { ...details, email, name };
}
