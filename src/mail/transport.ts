import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

export interface Mailer {
  send(message: Mail.Options): Promise<void>;
  close(): void;
}

/** SMTP when a URL is given; otherwise each message is written as an .eml file for a person to open. */
export function createMailer(options: { smtpUrl?: string; dir: string }): Mailer {
  if (options.smtpUrl) {
    // A pool reuses connections, so a burst of invitations does not open one connection each.
    // Timeouts well inside the outbox lease, so a hung relay cannot outlive a claim.
    const transport = nodemailer.createTransport({ url: options.smtpUrl, pool: true, maxConnections: 3, connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000 } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      async send(message) {
        await transport.sendMail(message);
      },
      close: () => transport.close(),
    };
  }
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  return {
    async send(message) {
      const info = await transport.sendMail(message);
      await fs.mkdir(options.dir, { recursive: true });
      const safeId = String(message.messageId ?? Date.now()).replace(/[^a-zA-Z0-9-]/g, '');
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      await fs.writeFile(path.join(options.dir, `${stamp}-${safeId}.eml`), info.message as Buffer);
    },
    close: () => undefined,
  };
}
