// The generic signed webhook: `{"event","deployment"}` as the contract fixes it, with the original's headers
// and Standard Webhooks' (webhook-id, webhook-timestamp, webhook-signature).
import { signPayload, standardKey, standardSignature } from '../webhooks/webhook-signature.js';
import { JSON_HEADERS, type Formatter } from './message.js';

/** A formatter for one receiver; deliveries are unsigned when `secret` is empty. */
export function webhookFormatter(url: string, secret: string): Formatter {
  const key = secret ? standardKey(secret) : undefined;
  return {
    format(event, deliveryId) {
      const body = event.json();
      // The body is the same string for every receiver and attempt; only the signatures are per receiver.
      const signature = secret ? signPayload(body, secret) : undefined;
      return {
        event: event.event,
        bytes: Buffer.byteLength(body),
        request(attempt) {
          // Each attempt is signed at its own time: receivers reject timestamps more than minutes old.
          const timestamp = Math.floor(Date.now() / 1000);
          const headers: Record<string, string> = {
            ...JSON_HEADERS,
            'x-versions-event': event.event,
            // The same id on every attempt, so that a receiver can ignore a retry of what it already has.
            'x-versions-delivery': deliveryId,
            'x-versions-attempt': String(attempt),
            'x-versions-timestamp': String(timestamp),
            'webhook-id': deliveryId,
            'webhook-timestamp': String(timestamp),
          };
          if (signature && key) {
            headers['x-versions-signature'] = signature;
            headers['webhook-signature'] = standardSignature(key, deliveryId, timestamp, body);
          }
          return { method: 'POST', url, headers, body };
        },
      };
    },
  };
}
