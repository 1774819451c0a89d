import { createHmac } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';

/** One outbound event: the body is fixed when the event happens, so every retry sends the same bytes. */
export interface OutboundDelivery {
  /** Stable across retries: the receiver dedupes on it (delivery is at least once). */
  deliveryId: string;
  body: string;
}

export const OUTBOUND_HEADERS = {
  timestamp: 'x-slo-timestamp',
  signature: 'x-slo-signature',
  deliveryId: 'x-slo-delivery-id',
} as const;

/** `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` (the timestamp in Unix seconds, as sent in its header). */
export const signOutboundEvent = (secret: string, timestamp: number, body: string): string =>
  `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;

export interface OutboundEventSender {
  configured: boolean;
  send(delivery: OutboundDelivery): Promise<void>;
}

/**
 * POSTs signed events to OUTBOUND_EVENTS_URL. Each attempt is signed afresh (a receiver may refuse old timestamps).
 * Network errors, timeouts, 408, 429 and 5xx throw a retryable failure; other 4xx mean the receiver refuses the
 * event for good, so retrying is pointless.
 */
export function createOutboundEventSender(options: {
  url?: string;
  secret?: string;
  timeoutMs?: number;
}): OutboundEventSender {
  const { url, secret, timeoutMs = 10_000 } = options;
  return {
    configured: Boolean(url && secret),
    async send(delivery) {
      if (!url || !secret) return;
      const timestamp = Math.floor(Date.now() / 1000);
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [OUTBOUND_HEADERS.timestamp]: String(timestamp),
          [OUTBOUND_HEADERS.signature]: signOutboundEvent(secret, timestamp, delivery.body),
          [OUTBOUND_HEADERS.deliveryId]: delivery.deliveryId,
        },
        body: delivery.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel();
      if (response.ok) return;
      const message = `outbound event ${delivery.deliveryId}: receiver answered ${response.status}`;
      if (response.status === 408 || response.status === 429 || response.status >= 500) {
        throw ApplicationFailure.create({ message, type: 'OutboundEventUndelivered' });
      }
      throw ApplicationFailure.nonRetryable(message, 'OutboundEventRefused');
    },
  };
}
