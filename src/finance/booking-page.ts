import type { FinanceBooking } from './booking';
import { bookingForms, bookingPageView, type PostedForm } from './booking-present';

/** Everything views/admin/finance/booking.hbs needs. */
export function bookingPageModel(view: FinanceBooking, zone: string, today: string, posted: PostedForm | undefined, canManage: boolean) {
  const forms = bookingForms(view, today, posted);
  return { title: `Booking ${view.booking.reference}`, nav: {}, ...bookingPageView(view, zone, forms.chosenAttendeeIds), ...forms, canManage };
}
