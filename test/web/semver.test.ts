// Semantic versions as the UI compares them for rollback markers and drift: strict parsing, semver precedence.
import { describe, expect, it } from 'vitest';
import { compareSemver, parseSemver } from '../../web/src/model/semver.js';

describe('parseSemver', () => {
  it('reads MAJOR.MINOR.PATCH with an optional v, pre-release and build metadata', () => {
    expect(parseSemver('1.2.3')).toEqual({ major: 1, minor: 2, patch: 3, prerelease: [] });
    expect(parseSemver('v10.0.7')).toEqual({ major: 10, minor: 0, patch: 7, prerelease: [] });
    expect(parseSemver(' 1.0.0-rc.1+build.5 ')).toEqual({
      major: 1,
      minor: 0,
      patch: 0,
      prerelease: ['rc', '1'],
    });
  });

  it('refuses what is not a semantic version', () => {
    for (const text of [
      '',
      '1',
      '1.2',
      '1.2.3.4',
      '01.2.3',
      '1.2.3-',
      '1.2.3-01',
      'latest',
      'abc123',
      '1.2.x',
    ]) {
      expect(parseSemver(text), text).toBeNull();
    }
  });
});

describe('compareSemver', () => {
  it('orders by major, minor, patch numerically', () => {
    expect(compareSemver('1.10.0', '1.9.0')).toBe(1);
    expect(compareSemver('1.9.9', '2.0.0')).toBe(-1);
    expect(compareSemver('2.0.10', '2.0.9')).toBe(1);
    expect(compareSemver('3.1.4', 'v3.1.4')).toBe(0);
  });

  it('follows semver precedence for pre-releases and ignores build metadata', () => {
    const ordered = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
    ];
    for (let index = 1; index < ordered.length; index += 1) {
      expect(compareSemver(ordered[index - 1]!, ordered[index]!), ordered[index]).toBe(-1);
      expect(compareSemver(ordered[index]!, ordered[index - 1]!), ordered[index]).toBe(1);
    }
    expect(compareSemver('1.0.0+build.1', '1.0.0+build.2')).toBe(0);
  });

  it('does not compare when either side does not parse', () => {
    expect(compareSemver('1.2.3', 'main-4f2c')).toBeNull();
    expect(compareSemver('2024.05', '1.0.0')).toBeNull();
  });
});
