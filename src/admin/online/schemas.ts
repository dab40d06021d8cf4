import { z } from 'zod';
import { singleLineText } from '../../lib/text';

const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === '1' || v === true, z.boolean());
const hours = (message: string) =>
  z.preprocess((v) => (typeof v === 'string' ? v.trim() : v), z.string().regex(/^\d{1,4}$/, message).transform(Number).pipe(z.number().int().min(1, message).max(2160, message)));

/** The reminders and follow-ups form: each rule on or off; the hours only matter (and are checked) for a rule that is on. */
export const followUpFormSchema = z
  .object({
    reminderEarlyOn: checkbox,
    reminderEarlyHours: z.unknown().optional(),
    reminderLateOn: checkbox,
    reminderLateHours: z.unknown().optional(),
    thankYou: checkbox,
    missedYou: checkbox,
    followUpHours: z.unknown().optional(),
  })
  .transform((v, ctx) => {
    const read = (on: boolean, raw: unknown, path: string, label: string): number | null => {
      if (!on) return null;
      const parsed = hours(`Enter the hours before the start for the ${label}, from 1 to 2160 (168 is a week)`).safeParse(raw);
      if (!parsed.success) {
        ctx.addIssue({ code: 'custom', path: [path], message: parsed.error.issues[0].message });
        return null;
      }
      return parsed.data;
    };
    const early = read(v.reminderEarlyOn, v.reminderEarlyHours, 'reminderEarlyHours', 'first reminder');
    const late = read(v.reminderLateOn, v.reminderLateHours, 'reminderLateHours', 'second reminder');
    // Checked here with the others, so every mistake on the form is reported in one answer.
    const after = hours('Enter the hours after the end, from 1 to 2160').safeParse(v.followUpHours);
    if (!after.success) ctx.addIssue({ code: 'custom', path: ['followUpHours'], message: after.error.issues[0].message });
    return { reminderEarlyHours: early, reminderLateHours: late, thankYou: v.thankYou, missedYou: v.missedYou, followUpHours: after.success ? after.data : 2 };
  });

export type FollowUpInput = z.output<typeof followUpFormSchema>;

const text = (max: number, message: string) => singleLineText(max, { notText: 'Enter some text' }).min(1, message);

/** A material given as a link (a recording, or slides kept elsewhere): https only. */
export const materialLinkSchema = z.object({
  kind: z.enum(['slides', 'recording'], { message: 'Choose slides or recording' }),
  title: text(200, 'Enter a title, like Slides: Waiting times in 2026'),
  url: z.preprocess((v) => (typeof v === 'string' ? v.trim() : ''), z.url({ protocol: /^https$/, message: 'Enter a web address starting with https://' }).max(500, 'At most 500 characters')),
  visibility: z.enum(['public', 'registrants', 'attendees'], { message: 'Choose who may see it' }),
});

/** The text fields of the slides upload form (the file itself is checked by type and size). */
export const materialUploadSchema = z.object({
  title: text(200, 'Enter a title, like Slides: Waiting times in 2026'),
  visibility: z.enum(['public', 'registrants', 'attendees'], { message: 'Choose who may see it' }),
});
