import { z } from 'zod';
import { EVENT_KINDS, KIND_LABELS, REGION_LABELS } from '../events/types';
import { emailText, multiLineText, singleLineText } from '../lib/text';
import { FOLLOWED_REGIONS, type Choices } from './types';

/** A form sends one checkbox as a string and several as an array; none at all as nothing. */
const manyOf = <T extends readonly [string, ...string[]]>(values: T, message: string) =>
  z.preprocess((v) => (v === undefined || v === '' ? [] : Array.isArray(v) ? v : [v]), z.array(z.enum(values, { message })).max(values.length));

/**
 * What to hear about, from a form: `choice` "all" (every event) or "some" (then at least one kind or region ticked).
 * Errors are on `choices` so the form can mark the fieldset.
 */
export const choicesFormSchema = z
  .object({
    choice: z.enum(['all', 'some'], { message: 'Choose all events, or only some kinds and regions' }),
    kinds: manyOf(EVENT_KINDS, 'Choose kinds of event from the list'),
    regions: manyOf(FOLLOWED_REGIONS, 'Choose regions from the list'),
  })
  .transform((form, ctx): Choices => {
    if (form.choice === 'some' && form.kinds.length === 0 && form.regions.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'Tick at least one kind of event or region, or choose all events' });
      return z.NEVER;
    }
    return form.choice === 'all' ? { allEvents: true, kinds: [], regions: [] } : { allEvents: false, kinds: [...new Set(form.kinds)], regions: [...new Set(form.regions)] };
  });

export const subscribeFormSchema = z.intersection(z.object({ email: emailText('Enter an email address like name@example.org') }), choicesFormSchema);

/** A subscriber's private link or a confirmation link: 256 bits, base64url. Anything else names nobody (404). */
export const subscriptionTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/);

/** The form fields the subscribe partial renders, with what the person typed or chose. */
export function choiceOptions(form: { choice?: unknown; kinds?: unknown; regions?: unknown }) {
  const list = (v: unknown) => (Array.isArray(v) ? v.map(String) : v === undefined ? [] : [String(v)]);
  const kinds = list(form.kinds);
  const regions = list(form.regions);
  return {
    isSome: form.choice === 'some',
    kinds: EVENT_KINDS.map((k) => ({ value: k, label: `${KIND_LABELS[k]}s`, checked: kinds.includes(k) })),
    regions: FOLLOWED_REGIONS.map((r) => ({ value: r, label: r === 'online' ? 'Online events' : REGION_LABELS[r], checked: regions.includes(r) })),
  };
}

/** The choices a subscriber has, as form values (to show their page with them ticked). */
export const choicesAsForm = (choices: Choices) => ({ choice: choices.allEvents ? 'all' : 'some', kinds: choices.kinds, regions: choices.regions });

/** An organiser's update to the people told about an event: a subject (prefixed with the title) and the message. */
export const updateFormSchema = z.object({
  subject: singleLineText(120, { tooLong: 'Keep the subject under 120 characters' }).min(1, 'Enter a subject'),
  message: multiLineText(5000, { tooLong: 'Keep the message under 5,000 characters' }).min(1, 'Enter the message'),
  requestKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'The form is out of date: reload the page'),
});

export const announceFormSchema = z.object({
  requestKey: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'The form is out of date: reload the page'),
});
