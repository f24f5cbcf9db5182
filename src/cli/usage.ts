import type { ParseArgsConfig } from 'node:util';

/** Options as `node:util` parseArgs takes them. */
export type OptionSpecs = NonNullable<ParseArgsConfig['options']>;

/** What parseArgs gives back for a set of options not known at compile time. */
export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** The command line is wrong (unknown command or option, missing value, unreadable file): exit code 2. */
export class UsageError extends Error {
  constructor(
    message: string,
    /** The command whose `--help` to point at, if any. */
    readonly command?: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The value of a string option, or undefined when absent. */
export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The value of an option the command cannot work without; empty counts as missing, as `--version "$UNSET"`. */
export function requiredOption(values: OptionValues, name: string, command: string): string {
  const value = stringOption(values, name);
  if (value === undefined) throw new UsageError(`missing required option --${name}`, command);
  if (value.trim() === '') throw new UsageError(`--${name} must not be empty`, command);
  return value;
}
