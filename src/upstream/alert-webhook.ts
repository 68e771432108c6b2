import type { AxiosInstance } from 'axios';
import { AppError } from '../errors/app-error.js';
import { errorFromNetwork, errorFromResponse } from './upstream-errors.js';
import { createHttpClient } from '../net/http-client.js';

/** The helpdesk's second channel: a chat incoming webhook (Slack, Teams) taking `{"text": "…"}`. */
export interface AlertWebhook {
  send(text: string, signal?: AbortSignal): Promise<void>;
}

const OPERATION = 'POST alert';

/**
 * Posts alerts as JSON `{"text": …}`, which Slack and Teams incoming webhooks both accept. The URL
 * carries the webhook's secret, so it never appears in errors or logs.
 */
export class HttpAlertWebhook implements AlertWebhook {
  private readonly http: AxiosInstance;

  constructor(
    private readonly url: string,
    timeoutMs: number,
  ) {
    this.http = createHttpClient({ baseURL: url, timeoutMs, maxSockets: 4 });
  }

  async send(text: string, signal?: AbortSignal): Promise<void> {
    let status: number;
    try {
      const res = await this.http.post(this.url, { text }, { headers: { 'Content-Type': 'application/json' }, signal });
      status = res.status;
      if (status >= 200 && status < 300) return;
      throw errorFromResponse('alert-webhook', OPERATION, res);
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw errorFromNetwork('alert-webhook', OPERATION, err);
    }
  }
}

/** Keeps the messages in memory; `failWith` makes sends fail. */
export class FakeAlertWebhook implements AlertWebhook {
  readonly messages: string[] = [];
  failWith: Error | null = null;

  async send(text: string): Promise<void> {
    if (this.failWith) throw this.failWith;
    this.messages.push(text);
  }
}
