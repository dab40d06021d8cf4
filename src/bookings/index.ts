/**
 * The public surface of bookings/: other folders import from here, not from inside. bookings/ owns the booking's
 * whole life (placing, holds, the lifecycle transitions, the waitlist, seats, cancelling) and reaches the card payment
 * provider only through the PaymentGateway port on the service context.
 */
export type { AttendeeRecord, AttendeeStatus, BookingRecord, BookingStatus, PaymentMethod } from './types';
export { BOOKING_STATUSES } from './types';
export type { CardPaymentSummary, CheckoutLine, CheckoutRequest, InvoiceCheckoutRequest, PaymentGateway, RefundInitiator, RefundNotice, RefundRequest, RefundSummary } from './payment-gateway';
export { cancelSeats, confirmHold, expireHold, lockBooking, markPaymentProcessing, releaseHold, setRefundedTotal, type ConfirmOutcome, type LockedBooking } from './lifecycle';
export { isHoldLive, whereBookedOrWaiting, whereSeatsHeld } from './holds';
export { queueBookingNotice, queueMoneyNotice, queueNoticeFor } from './notify';
export { findBookingById, findBookingByReference, listAttendees, toAttendee, toBooking } from './queries';
export { bookingNotFound, getBookingForHolder, loadBookingView, type BookingView, type CreatedBooking } from './view';
export { referenceSchema, tokenSchema, type BookingRequest } from './schemas';
export { grantWaitlistPlace, promoteWaitlist } from './waitlist';
export { BOOKING_NOTICE_TEMPLATE, bookingEmails, eventSummary, onlineJoining, renderBookingNotice, type BookingNotice, type BookingNoticePayload } from './notifications';
export { paymentNotice, paymentNoticeTemplate, type PaymentNoticeKind } from './payment-notices';
export { bookingNoticeTemplate } from './notice-template';
export { cancelAsHolder, cancelBookingSeats, cancellationMoney, type CancellationMoney, type CancelOutcome, type CancelRequest, type InvoiceCredit, type InvoiceCreditHook, type RefundChoice } from './cancel';
export { toApiBooking } from './present';
export { modeSeats, priceLineLabel, priceLines, refundPolicyFor, type PriceLine, type RefundPolicy } from './rules';
export { bookingApiRoutes, bookingPageRoutes } from './routes';
export { seatPageRoutes, type SeatRouteOptions } from './seat-routes';
export { invoicePaymentRoutes } from './pay-invoice-routes';
export { seatChangesCutoff } from './seats';
export { assertDoorOpen, registerWalkIn, walkInSchema, type WalkInInput } from './walk-in';
export { countCodeUses, describeDiscount, DISCOUNT_KINDS, findDiscountCode, insertDiscountCode, listDiscountCodes, seatDiscounts, setDiscountCodeActive, type DiscountCodeRecord, type DiscountKind, type SeatDiscount } from './discounts';
export { answersForSeat, answerText, conditionNote, listAnswers, listQuestions, QUESTION_KIND_LABELS, QUESTION_KINDS, QUESTION_SCOPES, toQuestion, type AnswerRecord, type QuestionRecord } from './questions';
export { answerLines, toApiQuestion } from './question-present';
