import net from 'node:net';

export interface RawExchange {
  /** The status of the first response, if one came. */
  status?: number;
  /** Everything the server sent. */
  text: string;
  /** Whether the server closed the connection within the wait. */
  isClosed: boolean;
  /** Milliseconds from connecting until the first response byte, if any came. */
  firstByteMs?: number;
  /** Milliseconds from connecting until the server closed the connection, if it did. */
  closedMs?: number;
}

/**
 * Talks HTTP by hand on a socket, as a slow or hostile client would: `send` writes what it likes (headers only, a body
 * byte at a time); the exchange ends when the server closes the connection or after `waitMs`.
 */
export function rawExchange(port: number, send: (socket: net.Socket) => void, waitMs: number): Promise<RawExchange> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    let firstByteMs: number | undefined;
    const finish = (isClosed: boolean) => {
      clearTimeout(timer);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      socket.destroy();
      resolve({ status: status ? Number(status) : undefined, text, isClosed, firstByteMs, closedMs: isClosed ? Date.now() - started : undefined });
    };
    const timer = setTimeout(() => finish(false), waitMs);
    socket.on('data', (chunk) => {
      firstByteMs ??= Date.now() - started;
      text += chunk.toString('latin1');
    });
    socket.on('close', () => finish(true));
    // A server that closes while we still write makes EPIPE or ECONNRESET here: that is the close we wait for.
    socket.on('error', () => finish(true));
    socket.on('connect', () => send(socket));
  });
}

/** Writes `bytes` one at a time, `intervalMs` apart, until they run out or the socket closes. */
export function trickle(socket: net.Socket, bytes: string, intervalMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (i >= bytes.length || socket.destroyed) return clearInterval(timer);
    socket.write(bytes[i++]);
  }, intervalMs);
  socket.on('close', () => clearInterval(timer));
}
