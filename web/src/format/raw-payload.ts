import { isRecorded } from './links';

/** How a raw payload is shown: pretty-printed JSON, plain text, or nothing recorded. */
export type RawPayload = { kind: 'json'; text: string } | { kind: 'text'; text: string } | { kind: 'empty' };

export function describePayload(raw: string): RawPayload {
  if (!isRecorded(raw)) return { kind: 'empty' };
  const trimmed = raw.trim();
  // Only objects and arrays are worth re-indenting; `"1.2"` or `42` read better as they are.
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    try {
      return { kind: 'json', text: JSON.stringify(JSON.parse(trimmed), null, 2) };
    } catch {
      // not JSON after all
    }
  }
  return { kind: 'text', text: raw };
}

export type JsonTokenKind = 'key' | 'string' | 'number' | 'literal' | 'punctuation';

export interface JsonToken {
  kind: JsonTokenKind | 'space';
  text: string;
}

const JSON_TOKEN =
  /("(?:[^"\\]|\\.)*")(\s*:)?|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|(true|false|null)|([{}[\],:])|(\s+)/g;

/** Splits pretty-printed JSON into tokens for colouring, or null when they would not give back the text exactly. */
export function tokenizeJson(text: string): JsonToken[] | null {
  const tokens: JsonToken[] = [];
  for (const match of text.matchAll(JSON_TOKEN)) {
    const [, string, colon, number, literal, punctuation, space] = match;
    if (string !== undefined) {
      tokens.push({ kind: colon ? 'key' : 'string', text: string });
      if (colon) tokens.push({ kind: 'punctuation', text: colon });
    } else if (number !== undefined) tokens.push({ kind: 'number', text: number });
    else if (literal !== undefined) tokens.push({ kind: 'literal', text: literal });
    else if (punctuation !== undefined) tokens.push({ kind: 'punctuation', text: punctuation });
    else tokens.push({ kind: 'space', text: space ?? '' });
  }
  const length = tokens.reduce((sum, token) => sum + token.text.length, 0);
  return length === text.length ? tokens : null;
}
