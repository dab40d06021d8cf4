import { decodeForm } from '../src/form-decode';
import { StripeApiError } from '../src/errors';
import { computeFee, formatMoney } from '../src';

describe('payments sandbox: form decoding and money', () => {
  test('when keys use brackets, then they nest into objects and indexed arrays', () => {
    const form = decodeForm('line_items[0][price_data][unit_amount]=1250&line_items[1][quantity]=2&metadata[booking_id]=42');

    expect(form).toEqual({
      line_items: [{ price_data: { unit_amount: '1250' } }, { quantity: '2' }],
      metadata: { booking_id: '42' },
    });
  });

  test('when a key ends in [], then each value is appended', () => {
    expect(decodeForm('expand[]=payment_intent&expand[]=payment_intent.latest_charge')).toEqual({
      expand: ['payment_intent', 'payment_intent.latest_charge'],
    });
  });

  test('when values are percent- or plus-encoded, then they are decoded', () => {
    expect(decodeForm('success_url=http%3A%2F%2Fapp.test%2Fok%3Fid%3D%7BCHECKOUT_SESSION_ID%7D&name=Ada+Lovelace')).toEqual({
      success_url: 'http://app.test/ok?id={CHECKOUT_SESSION_ID}',
      name: 'Ada Lovelace',
    });
  });

  test('when a key tries to reach __proto__, then it is rejected instead of polluting objects', () => {
    expect(() => decodeForm('metadata[__proto__][polluted]=yes')).toThrow(StripeApiError);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('when the encoding is broken, then it is a 400 rather than a crash', () => {
    const err = (() => {
      try {
        decodeForm('name=%E0%A4%A');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(StripeApiError);
    expect((err as StripeApiError).status).toBe(400);
  });

  test('when fees are computed, then it is 1.5% rounded plus 20p by default', () => {
    expect(computeFee(5500, 150, 20)).toBe(103);
    expect(computeFee(1000, 150, 20)).toBe(35);
    expect(computeFee(1, 150, 20)).toBe(20);
  });

  test('when money is formatted, then minor units become pounds and pence', () => {
    expect(formatMoney(1250, 'gbp')).toBe('£12.50');
    expect(formatMoney(500, 'GBP')).toBe('£5.00');
    expect(formatMoney(500, 'jpy')).toBe('JP¥500');
  });
});
