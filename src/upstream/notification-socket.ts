import WebSocket from 'ws';
import { USER_AGENT } from '../net/http-client.js';

/** One open Notifications API websocket, reduced to what the monitor needs. */
export interface NotificationSocket {
  send(text: string): void;
  /** Closes it and resolves once closed; no close listener is called for a close we asked for. */
  close(): Promise<void>;
  onMessage(listener: (text: string) => void): void;
  /** Called once when the far end or the network closes the socket (1006 for a drop). */
  onClose(listener: (code: number) => void): void;
}

/** Opens notification sockets; resolves once open, rejects on a refused or timed-out handshake. */
export interface NotificationSocketConnector {
  connect(uri: string): Promise<NotificationSocket>;
}

/** Real sockets with the `ws` package: bounded handshake, no redirects, explicit User-Agent, 1 MB frames at most. */
export class WsSocketConnector implements NotificationSocketConnector {
  constructor(private readonly options: { handshakeTimeoutMs: number }) {}

  connect(uri: string): Promise<NotificationSocket> {
    const ws = new WebSocket(uri, {
      handshakeTimeout: this.options.handshakeTimeoutMs,
      followRedirects: false,
      maxPayload: 1024 * 1024,
      headers: { 'User-Agent': USER_AGENT },
    });
    return new Promise((resolve, reject) => {
      let settled = false;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        ws.terminate();
        reject(err);
      };
      // Stays attached: errors after opening end in a close event, which is what the monitor acts on.
      ws.on('error', fail);
      ws.once('unexpected-response', (_req, res) => fail(new Error(`websocket handshake answered ${res.statusCode}`)));
      ws.once('open', () => {
        settled = true;
        resolve(new WsNotificationSocket(ws));
      });
    });
  }
}

class WsNotificationSocket implements NotificationSocket {
  private closedByUs = false;

  constructor(private readonly ws: WebSocket) {}

  send(text: string): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(text);
  }

  close(): Promise<void> {
    this.closedByUs = true;
    if (this.ws.readyState === WebSocket.CLOSED) return Promise.resolve();
    const closed = new Promise<void>((resolve) => this.ws.once('close', () => resolve()));
    this.ws.close(1000);
    // A peer that never answers the close handshake must not keep the socket for ever.
    const timer = setTimeout(() => this.ws.terminate(), 5_000).unref();
    return closed.finally(() => clearTimeout(timer));
  }

  onMessage(listener: (text: string) => void): void {
    this.ws.on('message', (data) => listener(String(data)));
  }

  onClose(listener: (code: number) => void): void {
    this.ws.once('close', (code) => {
      if (!this.closedByUs) listener(code);
    });
  }
}
