import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/** A real SMTP server on loopback that keeps every message it receives, parsed. */
export interface TestSmtp {
  port: number;
  url: string;
  messages: ParsedMail[];
  raw: string[];
  waitFor(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  stop(): Promise<void>;
  /** Starts again on the same port after stop(), as a mail server coming back would. */
  start(): Promise<void>;
  /** From now on, refuses this recipient for good (550 at RCPT TO), as a relay does for a dead mailbox. */
  refuse(address: string): void;
}

export async function startTestSmtp(): Promise<TestSmtp> {
  const messages: ParsedMail[] = [];
  const raw: string[] = [];
  let server: SMTPServer | undefined;
  let port = 0;
  const refused = new Set<string>();

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = new SMTPServer({
        authOptional: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        disableReverseLookup: true,
        // A server going down drops its clients; the default waits 30 s for idle pooled connections to leave.
        closeTimeout: 100,
        onRcptTo(address, _session, callback) {
          if (refused.has(address.address.toLowerCase())) {
            const error = Object.assign(new Error('5.1.1 mailbox unavailable'), { responseCode: 550 });
            return callback(error);
          }
          callback();
        },
        onData(stream, _session, callback) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            raw.push(text);
            simpleParser(text)
              .then((parsed) => {
                messages.push(parsed);
                callback();
              })
              .catch(callback);
          });
        },
      });
      server.on('error', () => undefined);
      server.listen(port, '127.0.0.1', () => {
        const address = server!.server.address();
        if (address && typeof address === 'object') port = address.port;
        resolve();
      });
      server.server.once('error', reject);
    });

  await listen();
  const handle: TestSmtp = {
    get port() {
      return port;
    },
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    messages,
    raw,
    async waitFor(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} emails, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return messages;
    },
    stop: () => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())),
    start: listen,
    refuse: (address) => {
      refused.add(address.toLowerCase());
    },
  };
  return handle;
}
