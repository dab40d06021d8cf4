import type { Knex } from 'knex';
import { insertDiscountCode, type NewDiscountCode } from '../../src/bookings/discounts';
import { toDbTime } from '../../src/lib/time';

/** A discount code for an event (or, with `eventId: null`, every event); 20% off, no limits, unless overridden. */
export async function buildCode(db: Knex, overrides: Partial<NewDiscountCode> & { code: string }): Promise<number> {
  const code = await db.transaction((trx) =>
    insertDiscountCode(
      trx,
      { eventId: null, kind: 'percent', amount: 0, percent: 20, currency: 'GBP', validFrom: null, validUntil: null, maxUses: null, maxPerBooking: null, revealsTicketTypeId: null, note: '', ticketTypeIds: [], ...overrides },
      new Date('2026-01-01T00:00:00Z'),
    ),
  );
  if (!code) throw new Error(`code ${overrides.code} already exists`);
  return code.id;
}

export interface QuestionOverrides {
  scope?: 'booking' | 'attendee';
  kind?: 'short_text' | 'long_text' | 'single_choice' | 'multiple_choice' | 'yes_no';
  label?: string;
  helpText?: string;
  options?: string[];
  isRequired?: boolean;
  isSensitive?: boolean;
  conditionQuestionId?: number;
  conditionValue?: string;
  position?: number;
}

/** A registration question on an event; a required per-booking short text unless overridden. */
export async function buildQuestion(db: Knex, eventId: number, o: QuestionOverrides = {}): Promise<number> {
  const now = toDbTime(new Date('2026-01-01T00:00:00Z'));
  const [row] = await db('event_questions')
    .insert({
      event_id: eventId,
      position: o.position ?? 0,
      scope: o.scope ?? 'booking',
      kind: o.kind ?? 'short_text',
      label: o.label ?? 'Which trust or region are you from?',
      help_text: o.helpText ?? '',
      options: JSON.stringify(o.options ?? []),
      is_required: o.isRequired ?? true,
      is_sensitive: o.isSensitive ?? false,
      condition_question_id: o.conditionQuestionId ?? null,
      condition_value: o.conditionValue ?? null,
      created_at: now,
      updated_at: now,
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}
