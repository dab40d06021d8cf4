import fs from 'node:fs';
import request from 'supertest';
import { findInvoiceOfBooking } from '../../../src/finance/documents/queries';
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

    it('when the same invoice is rendered twice, then the bytes are identical', async () => {
      const { booking } = await bookThree();
      const invoice = (await findInvoiceOfBooking(t.db, Number(booking.id)))!;
      const [a, b] = [await renderDocumentPdf(invoice.snapshot), await renderDocumentPdf(invoice.snapshot)];
      expect(a.equals(b)).toBe(true);
    });
  });
}
