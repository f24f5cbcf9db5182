// Resident memory of a server process, from /proc, for tests and benchmarks that bound it under attack.
import { readFileSync, writeFileSync } from 'node:fs';

export interface ProcessMemory {
  /** Resident set now, in MB. */
  rssMb: number;
  /** Peak resident set since start (or since resetPeak), in MB. */
  peakMb: number;
}

export function processMemory(pid: number): ProcessMemory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** Sets the peak back to the current resident set (Linux: `5` into clear_refs), so a later peak is the attack's. */
export function resetPeak(pid: number): void {
  writeFileSync(`/proc/${pid}/clear_refs`, '5');
}
