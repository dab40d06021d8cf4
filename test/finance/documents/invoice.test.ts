import fs from 'node:fs';
import request from 'supertest';
import { CLI_ACTOR } from '../../../src/admin/audit/log';
import { listDocumentsOfBooking, findInvoiceOfBooking } from '../../../src/finance/documents/queries';
import { recordInvoicePayment } from '../../../src/finance/invoices';
import { createStaff, createToken } from '../../admin/helpers';
import { buildCode } from '../../support/codes';
import { renderDocumentPdf } from '../../../src/finance/documents/render';
import { buildEvent } from '../../support/factories';
import { paidEvent, startPaymentsTestApp, type PaymentsTestApp } from '../../support/payments';
import { pdfText } from '../../support/pdf-text';

let counter = 0;
/** A named person with an address of their own (each booking's people are new, so no one is booked twice). */
const who = (name: string) => ({ name, email: `${name.toLowerCase().replace(/\W+/g, '.')}.${++counter}@example.org` });

const BANK = { INVOICE_ACCOUNT_NAME: 'Health Statistics User Group', INVOICE_SORT_CODE: '12-34-56', INVOICE_ACCOUNT_NUMBER: '12345678' };
const ORG = { ORG_ADDRESS: 'c/o Royal Statistical Society, 12 Errol Street, London EC1Y 8LX', INVOICE_TERMS_DAYS: '30' };

/** Normalises pdf.js's text: runs of spaces and line breaks become one space, so phrases can be matched. */
const flat = (text: string) => text.replace(/\s+/g, ' ');

for (const vat of [true, false]) {
  describe(`an invoice booking ${vat ? 'with VAT (GB123456789 at 20%)' : 'without a VAT number'}`, () => {
    let t: PaymentsTestApp;
    beforeAll(async () => {
      t = await startPaymentsTestApp({ env: { ...BANK, ...ORG, ...(vat ? { VAT_NUMBER: 'GB 123 4567 89', VAT_RATE: '2000' } : {}) } });
    });
    afterAll(async () => {
      await t.close();
    });

    async function bookThree() {
      const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Member', price: 4500 }, { name: 'Non-member', price: 13500 }]), title: 'Seminar: hospital statistics' });
      const grace = who('Grace Hopper');
      const buyer = { ...grace, organisation: 'Leeds Teaching Hospitals NHS Trust' };
      const res = await request(t.baseUrl)
        .post(`/api/v1/events/${event.slug}/bookings`)
        .send({
          buyer,
          items: [
            { ticketTypeId: event.ticketTypeIds[1], attendee: grace },
            { ticketTypeId: event.ticketTypeIds[1], attendee: who('Flo Nightingale') },
            { ticketTypeId: event.ticketTypeIds[1], attendee: who('Mary Seacole') },
          ],
          paymentMethod: 'invoice',
          purchaseOrder: 'PO-77123',
          billingContact: 'Accounts Payable',
          billingEmail: 'accounts.payable@leeds.nhs.test',
          billingAddress: 'Accounts Payable\nSt James’s University Hospital\nBeckett Street, Leeds LS9 7TF',
        });
      if (res.status !== 201) throw new Error(`booking refused: ${res.status} ${JSON.stringify(res.body)}`);
      const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
      return { event, booking, buyer, manageUrl: res.body.booking.manageUrl as string };
    }

    it('when an NHS trust books three places by invoice, then an invoice is issued with every field its accounts-payable team needs', async () => {
      const { booking } = await bookThree();
      const invoice = (await findInvoiceOfBooking(t.db, Number(booking.id)))!;
      expect(invoice.number).toMatch(/^HSUG-2025-\d{4}$/);
      const pdf = await renderDocumentPdf(invoice.snapshot);
      if (process.env.KEEP_PDF) fs.writeFileSync(`${process.env.KEEP_PDF}/invoice-${vat ? 'vat' : 'novat'}.pdf`, pdf);
      const { text, info, pages } = await pdfText(pdf);
      const seen = flat(text);
      expect(pages).toBe(1);
      expect(info.Title).toBe(`Invoice ${invoice.number}`);
      expect(seen).toContain(`Invoice number: ${invoice.number}`);
      // Test clock: 2 March 2026; due 30 days later.
      expect(seen).toContain('Invoice date (tax point): 2 March 2026');
      expect(seen).toContain('Due date: 1 April 2026 (30 days)');
      expect(seen).toContain('Health Statistics User Group c/o Royal Statistical Society 12 Errol Street London EC1Y 8LX');
      expect(seen).toContain('Leeds Teaching Hospitals NHS Trust For the attention of Accounts Payable Accounts Payable St James’s University Hospital Beckett Street Leeds LS9 7TF accounts.payable@leeds.nhs.test');
      expect(seen).toContain('Purchase order: PO-77123');
      expect(seen).toContain(`Booking reference: ${booking.reference}`);
      for (const name of ['Grace Hopper', 'Flo Nightingale', 'Mary Seacole']) {
        expect(seen).toContain(vat ? `${name} Non-member 1 £135.00 £112.50 £22.50 £135.00` : `${name} Non-member 1 £135.00 £135.00`);
      }
      if (vat) {
        expect(seen).toContain('VAT registration number: GB123456789');
        expect(seen).toContain('Net: £337.50 VAT at 20%: £67.50 Total (gross): £405.00');
        expect(seen).toContain('Prices include VAT at 20% (VAT registration number GB123456789).');
      } else {
        expect(seen).toContain('Total: £405.00 No VAT is charged.');
        expect(seen).toContain('No VAT is charged: the Health Statistics User Group is not registered for VAT.');
        expect(seen).not.toContain('VAT registration number');
      }
      expect(seen).toContain(`Please pay £405.00 by 1 April 2026 by bank transfer to: Account name: Health Statistics User Group Sort code: 12-34-56 Account number: 12345678 Payment reference: ${invoice.number}`);
    });

    it('when a place is cancelled and the rest is paid, then the credit note and the receipt show the same identity block, the lines, the amounts and the VAT', async () => {
      const { booking } = await bookThree();
      const token = await createToken(t, (await createStaff(t, 'organiser')).id);
      const seats = await t.db('attendees').where({ booking_id: booking.id }).orderBy('id').select('id');
      await request(t.server).post(`/api/v1/admin/bookings/${booking.reference}/cancel`).set('Authorization', `Bearer ${token}`).send({ attendeeIds: [seats[2].id], refund: 'policy' }).expect(200);
      // £405 − (£135 − £10 fee) = £280 still due.
      await recordInvoicePayment(t.ctx, CLI_ACTOR, booking.reference, { paidOn: '2026-03-02', amount: 28000, bankReference: 'BACS 1234' });
      const [invoice, creditNote, receipt] = await listDocumentsOfBooking(t.db, Number(booking.id));
      expect([invoice.kind, creditNote.kind, receipt.kind]).toEqual(['invoice', 'credit_note', 'receipt']);
      const cn = flat((await pdfText(await renderDocumentPdf(creditNote.snapshot))).text);
      const rc = flat((await pdfText(await renderDocumentPdf(receipt.snapshot))).text);
      if (process.env.KEEP_PDF) {
        fs.writeFileSync(`${process.env.KEEP_PDF}/credit-note-${vat ? 'vat' : 'novat'}.pdf`, await renderDocumentPdf(creditNote.snapshot));
        fs.writeFileSync(`${process.env.KEEP_PDF}/receipt-${vat ? 'vat' : 'novat'}.pdf`, await renderDocumentPdf(receipt.snapshot));
      }
      for (const text of [cn, rc]) {
        expect(text).toContain('Health Statistics User Group c/o Royal Statistical Society 12 Errol Street London EC1Y 8LX');
        expect(text).toContain('Leeds Teaching Hospitals NHS Trust For the attention of Accounts Payable');
        expect(text).toContain('Purchase order: PO-77123');
        expect(text).toContain(`Booking reference: ${booking.reference}`);
      }
      expect(cn).toContain(`Credit note number: ${creditNote.number}`);
      expect(cn).toContain(`Credits invoice ${invoice.number} of 2 March 2026`);
      expect(rc).toContain('Paid £280.00 by bank transfer on 2 March 2026. Bank reference: BACS 1234');
      if (vat) {
        expect(cn).toContain('Mary Seacole Non-member 1 £135.00 £112.50 £22.50 £135.00');
        expect(cn).toContain('Cancellation fee kept under the refund policy 1 -£10.00 -£8.33 -£1.67 -£10.00');
        expect(cn).toContain('Net: £104.17 VAT at 20%: £20.83 Total credited (gross): £125.00');
        expect(rc).toContain(`Less credit note ${creditNote.number} 1 -£125.00 -£104.17 -£20.83 -£125.00`);
        expect(rc).toContain('Net: £233.33 VAT at 20%: £46.67 Total (gross): £280.00');
      } else {
        expect(cn).toContain('Mary Seacole Non-member 1 £135.00 £135.00');
        expect(cn).toContain('Cancellation fee kept under the refund policy 1 -£10.00 -£10.00');
        expect(cn).toContain('Total credited: £125.00 No VAT is charged.');
        expect(rc).toContain(`Less credit note ${creditNote.number} 1 -£125.00 -£125.00`);
        expect(rc).toContain('Total: £280.00 No VAT is charged.');
      }
      // Invoice − credit notes = what was paid, to the penny, in gross, net and VAT alike.
      expect(invoice.snapshot.totals.gross - creditNote.snapshot.totals.gross).toBe(receipt.snapshot.totals.gross);
      expect(invoice.snapshot.totals.vat - creditNote.snapshot.totals.vat).toBe(receipt.snapshot.totals.vat);
    });

    it('when a discount code took 20% off, then the invoice shows each place at its list price, the discount, and totals that are the booking total', async () => {
      const event = await buildEvent(t.db, { ...paidEvent([{ name: 'Non-member', price: 13500 }]), title: 'Seminar: discounted' });
      await buildCode(t.db, { code: `NHS20${vat ? 'V' : 'N'}`, eventId: event.id, kind: 'percent', percent: 20 });
      const ada = who('Ada Lovelace');
      const res = await request(t.baseUrl)
        .post(`/api/v1/events/${event.slug}/bookings`)
        .send({ buyer: { ...ada, organisation: 'NHS Test Trust' }, items: [{ ticketTypeId: event.ticketTypeIds[0], attendee: ada }], paymentMethod: 'invoice', purchaseOrder: 'PO-20', billingEmail: 'ap@nhs.test', billingAddress: '1 Trust Way\nLeeds LS1 4AP', discountCode: `nhs20${vat ? 'v' : 'n'}` });
      if (res.status !== 201) throw new Error(`booking refused: ${res.status} ${JSON.stringify(res.body)}`);
      const booking = await t.db('bookings').where({ reference: res.body.booking.reference }).first();
      const invoice = (await findInvoiceOfBooking(t.db, Number(booking.id)))!;
      expect(invoice.amount).toBe(Number(booking.total));
      const seen = flat((await pdfText(await renderDocumentPdf(invoice.snapshot))).text);
      expect(seen).toContain(`Discount code: NHS20${vat ? 'V' : 'N'}`);
      expect(seen).toContain(vat ? 'Ada Lovelace Non-member 1 £135.00 -£27.00 £90.00 £18.00 £108.00' : 'Ada Lovelace Non-member 1 £135.00 -£27.00 £108.00');
      expect(seen).toContain(vat ? 'Total (gross): £108.00' : 'Total: £108.00');
    });

    it('when the same invoice is rendered twice, then the bytes are identical', async () => {
      const { booking } = await bookThree();
      const invoice = (await findInvoiceOfBooking(t.db, Number(booking.id)))!;
      const [a, b] = [await renderDocumentPdf(invoice.snapshot), await renderDocumentPdf(invoice.snapshot)];
      expect(a.equals(b)).toBe(true);
    });
  });
}
