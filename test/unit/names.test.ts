// The rules of names that no schema can say (src/validation/names.ts).
import { describe, expect, it } from 'vitest';
import { name, namePart, optionalName, statusName, versionId } from '../../src/validation/names.js';

describe('names', () => {
  it('trims a required name and refuses a blank one or one holding NUL, naming the field', () => {
    expect(name('  teamX\t', 'workload')).toBe('teamX');
    expect(() => name(' \n ', 'workload')).toThrow('workload must not be blank');
    expect(() => name('a\u0000b', 'platform')).toThrow('platform must not contain NUL');
  });

  it('reads an optional name as none when blank, and still refuses NUL', () => {
    expect(optionalName(undefined, 'workload')).toBeUndefined();
    expect(optionalName('   ', 'workload')).toBeUndefined();
    expect(optionalName(' w ', 'workload')).toBe('w');
    expect(() => optionalName('w\u0000', 'workload')).toThrow('workload must not contain NUL');
  });

  it('lower-cases statuses', () => {
    expect(statusName(' DÉPLOYÉ ')).toBe('déployé');
  });

  it('counts a name cut out of a larger value in characters, after trimming', () => {
    expect(namePart(` ${'🚀'.repeat(100)} `, 'from (its platform)')).toBe('🚀'.repeat(100));
    expect(() => namePart('x'.repeat(101), 'from (its platform)')).toThrow(
      'from (its platform) must be at most 100 characters',
    );
  });

  it('takes a deployment id as a number or a numeric string within 32 bits', () => {
    expect(versionId(14)).toBe(14);
    expect(versionId(' +14 ')).toBe(14);
    expect(versionId('2147483647')).toBe(2_147_483_647);
    for (const bad of [0, -1, 1.5, '2147483648', '1e3', 'x']) {
      expect(() => versionId(bad), String(bad)).toThrow('versionId must be a positive integer');
    }
    expect(() => versionId('')).toThrow('versionId is required');
  });
});
