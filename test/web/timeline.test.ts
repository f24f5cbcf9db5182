// A deployment's status timeline and the durations the UI prints.
import { describe, expect, it } from 'vitest';
import { formatDuration } from '../../web/src/format/dates.js';
import { timelineSteps } from '../../web/src/model/timeline.js';

describe('timelineSteps', () => {
  it('tells each status how long after the previous one and after the creation', () => {
    const steps = timelineSteps([
      { status: 'ongoing', date: '2026-11-20T10:00:00.000Z' },
      { status: 'failed', date: '2026-11-20T10:12:00.000Z' },
      { status: 'deployed', date: '2026-11-20T11:00:30.000Z' },
    ]);
    expect(steps.map((step) => [step.status, step.sincePrevious, step.sinceCreation])).toEqual([
      ['ongoing', null, null],
      ['failed', 720, 720],
      ['deployed', 2910, 3630],
    ]);
  });

  it('counts 0 for a status dated before the one before it', () => {
    const steps = timelineSteps([
      { status: 'ongoing', date: '2026-11-20T10:00:05.000Z' },
      { status: 'deployed', date: '2026-11-20T10:00:00.000Z' },
    ]);
    expect(steps[1]!.sincePrevious).toBe(0);
  });
});

describe('formatDuration', () => {
  it('prints the two largest units', () => {
    expect(formatDuration(0.2)).toBe('< 1 s');
    expect(formatDuration(42.7)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 5 s');
    expect(formatDuration(720)).toBe('12 min');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(2 * 3600 + 3)).toBe('2 h');
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe('2 h 5 min');
    expect(formatDuration(86400)).toBe('1 d');
    expect(formatDuration(3 * 86400 + 4 * 3600 + 59)).toBe('3 d 4 h');
  });
});
