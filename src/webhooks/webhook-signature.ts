// The two signatures a webhook delivery carries: the original X-Versions-Signature (HMAC of the body only,
// kept for existing receivers) and Standard Webhooks' (https://www.standardwebhooks.com/), which also covers
// the delivery id and timestamp so that a captured delivery cannot be replayed under new headers.
//
// Signed with node:crypto rather than the `standardwebhooks` package: that package hashes in JavaScript
// (fast-sha256), which would hold the event loop for milliseconds on a 1 MB body at every attempt. The tests
// verify real deliveries with the package, so both stay byte for byte the same.
import { createHmac } from 'node:crypto';

const STANDARD_PREFIX = 'whsec_';

/** `sha256=<hex>`: the HMAC-SHA256 of the exact body bytes, as sent in X-Versions-Signature. */
export function signPayload(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body, 'utf8').digest('hex')}`;
}

/**
 * The Standard Webhooks key of a secret: a `whsec_<base64>` secret (the specification's own form) is its
 * decoded bytes; any other secret is its UTF-8 bytes, which receivers pass to their library as
 * `whsec_` + base64 of the secret.
 */
export function standardKey(secret: string): Buffer {
  if (secret.startsWith(STANDARD_PREFIX)) {
    const key = Buffer.from(secret.slice(STANDARD_PREFIX.length), 'base64');
    if (key.length > 0) return key;
  }
  return Buffer.from(secret, 'utf8');
}

/** `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, the value of `webhook-signature`. */
export function standardSignature(key: Buffer, id: string, timestamp: number, body: string): string {
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`, 'utf8').digest('base64')}`;
}
