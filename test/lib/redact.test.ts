import { maskStripeId, redactUrl } from '../../src/lib/redact';

const TOKEN = 'Xq3vR9kLm2Tz8WpA1sDf4GhJ6kLz0QwErTyUiOpAsDf';

describe('redactUrl', () => {
  it.each([
    ['a manage link', `/bookings/HSUG-AB12-CD34?token=${TOKEN}&new=1`, '/bookings/HSUG-AB12-CD34?token=[redacted]&new=1'],
    ['a pay link', `/bookings/HSUG-AB12-CD34/pay?token=${TOKEN}`, '/bookings/HSUG-AB12-CD34/pay?token=[redacted]'],
    ['a Stripe return link', `/checkout/success?session_id=cs_test_a1B2c3D4e5F6g7&reference=HSUG-AB12-CD34&token=${TOKEN}`, '/checkout/success?session_id=cs_test_…F6g7&reference=HSUG-AB12-CD34&token=[redacted]'],
    ['a personal joining link', `/join/${TOKEN}`, '/join/[redacted]'],
    ['a verification link with a short token', '/verify/abc123', '/verify/[redacted]'],
    ['an unknown path carrying a generated secret', `/somewhere/${TOKEN}/more`, '/somewhere/[redacted]/more'],
    ['a payout id in a staff path', '/admin/finance/payouts/po_1Nq2Rs3Tu4Vw5Xy', '/admin/finance/payouts/po_…w5Xy'],
    ['an event page, which has no secret', '/events/evening-meeting-london-march-2026-statistics', '/events/evening-meeting-london-march-2026-statistics'],
    ['a staff search', '/admin/events/agm/attendees?q=Patel&status=confirmed', '/admin/events/agm/attendees?q=Patel&status=confirmed'],
  ])('when the URL is %s, then the secret is gone and the rest stays', (_label, url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });

  it('when a URL is very long, then at most 300 characters are kept', () => {
    expect(redactUrl(`/events/${'a'.repeat(1000)}`).length).toBeLessThanOrEqual(301);
  });
});

describe('maskStripeId', () => {
  it('when given a Stripe id, then only its prefix and last four characters are kept; anything else is redacted whole', () => {
    expect(maskStripeId('pi_3PqRsTuVwXyZ1234')).toBe('pi_…1234');
    expect(maskStripeId('cs_live_b1C2d3E4f5G6')).toBe('cs_live_…f5G6');
    expect(maskStripeId('4242424242424242')).toBe('[redacted]');
  });
});
