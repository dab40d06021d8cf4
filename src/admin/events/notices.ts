import { formatMoney } from '../../lib/money';

/** Messages shown once after a redirect (?notice=…), so a reload does not repeat the action. */
export function noticeText(query: Record<string, unknown>): string | null {
  const n = (key: string) => Number(typeof query[key] === 'string' ? query[key] : 0) || 0;
  switch (query.notice) {
    case 'created':
      return 'Event created as a draft. Check the details and ticket types, then publish it.';
    case 'updated': {
      const notified = n('notified');
      const promoted = n('promoted');
      return [
        'Changes saved.',
        notified > 0 ? `${notified} ${notified === 1 ? 'attendee has' : 'attendees have'} been sent an updated calendar invitation.` : '',
        promoted > 0 ? `${promoted} ${promoted === 1 ? 'booking' : 'bookings'} moved from the waitlist to confirmed.` : '',
      ].filter(Boolean).join(' ');
    }
    case 'copied':
      return 'Copy created as a draft, with the same ticket types and prices. Check the dates and any early-bird prices, then publish it.';
    case 'published':
      return 'Event published: it is now on the public list and open for booking.';
    case 'unpublished':
      return 'Event back to draft: it is no longer on the public list.';
    case 'ticket_saved':
      return 'Ticket type saved.';
    case 'message_sent':
      return `Message queued for ${n('recipients')} ${n('recipients') === 1 ? 'person' : 'people'}.`;
    case 'message_already_sent':
      return `That message had already been sent (to ${n('recipients')} ${n('recipients') === 1 ? 'person' : 'people'}), so it was not sent again.`;
    case 'cancelled': {
      const seats = n('seats');
      const refund = n('refund');
      const credit = n('credit');
      return [
        `${seats} ${seats === 1 ? 'place' : 'places'} cancelled; each person has been sent a calendar cancellation, and a freed place goes to the waitlist.`,
        refund > 0 ? `A refund of ${formatMoney(refund, 'GBP')} has been requested from Stripe; the buyer is emailed once Stripe confirms it.` : '',
        credit > 0 ? `${formatMoney(credit, 'GBP')} has been credited to the invoice, and the buyer told what is still due.` : '',
      ].filter(Boolean).join(' ');
    }
    case 'offered':
      return 'Place offered: the booking is confirmed and the person has been emailed.';
    case 'offered_hold':
      // A card booking is not confirmed until it is paid: the place is a hold with a payment link (bookings/waitlist.ts).
      return 'Place offered: it is held for them for 24 hours (or until the event starts, if sooner) and they have been emailed a payment link. The booking is confirmed once they pay; unpaid, the place goes to the next person waiting.';
    default:
      return null;
  }
}
