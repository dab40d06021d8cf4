import type { ParsedMail } from 'mailparser';
import request from 'supertest';
import type { TestApp } from '../support/app';

/** The form body the subscribe page posts: all events, or the kinds and regions given. */
export function subscribeBody(email: string, choices: { kinds?: string[]; regions?: string[] } | 'all' = 'all') {
  if (choices === 'all') return `email=${encodeURIComponent(email)}&choice=all`;
  const parts = [`email=${encodeURIComponent(email)}`, 'choice=some', ...(choices.kinds ?? []).map((k) => `kinds=${k}`), ...(choices.regions ?? []).map((r) => `regions=${r}`)];
  return parts.join('&');
}

/** The newest email to `to`, after the outbox has been sent. */
export function lastMailTo(t: TestApp, to: string): ParsedMail {
  const found = [...t.smtp.messages].reverse().find((m) => JSON.stringify(m.to).includes(to));
  if (!found) throw new Error(`no email to ${to}`);
  return found;
}

/** The first link in a message's text that starts with `prefix`. */
export function linkIn(mail: ParsedMail, prefix: string): string {
  const match = new RegExp(`${prefix.replace(/[/.]/g, '\\$&')}[A-Za-z0-9_\\-/]+`).exec(mail.text ?? '');
  if (!match) throw new Error(`no ${prefix} link in: ${mail.text}`);
  return match[0];
}

/** Subscribes through the form and confirms from the email, as a person would; returns the subscriber's page path. */
export async function subscribeAndConfirm(t: TestApp, email: string, choices: Parameters<typeof subscribeBody>[1] = 'all'): Promise<string> {
  await request(t.app).post('/subscribe').type('form').send(subscribeBody(email, choices)).expect(303);
  await t.sendMail();
  const confirm = linkIn(lastMailTo(t, email), 'http://events.test/subscriptions/confirm/').replace('http://events.test', '');
  const res = await request(t.app).post(confirm).type('form').send('').expect(303);
  return String(res.headers.location).replace(/\?.*$/, '');
}
