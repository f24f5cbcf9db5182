import { DatabaseUnavailableError } from '../errors.js';
import type { StoreDialect } from './dialects/dialect.js';

/**
 * Runs a store's database work; an error that means "the database is unreachable" becomes a
 * DatabaseUnavailableError (answered 503 with Retry-After), any other passes through. Every store uses it.
 */
export async function guardUnavailable<T>(dialect: StoreDialect, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (dialect.isUnavailable(error)) {
      throw new DatabaseUnavailableError(error instanceof Error ? error.message : String(error));
    }
    throw error;
  }
}
