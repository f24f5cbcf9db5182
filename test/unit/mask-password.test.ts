// Addresses in logs keep their user and host but never their password (config.ts, the Redis cache).
import { describe, expect, it } from 'vitest';
import { maskPassword } from '../../src/config.js';

describe('maskPassword', () => {
  it('hides the password of a database or Redis URI, and only that', () => {
    expect(maskPassword('redis://:s3cret@redis.internal:6379/2')).toBe('redis://:***@redis.internal:6379/2');
    expect(maskPassword('postgres://user:s3cret@host/db')).toBe('postgres://user:***@host/db');
    expect(maskPassword('redis://host:6379')).toBe('redis://host:6379');
  });
});
