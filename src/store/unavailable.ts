import { DatabaseUnavailableError } from '../errors.js';
import type { ErrorClassifier } from './dialects/dialect.js';

const TRANSACTION_ATTEMPTS = 5;

/**
 * Runs a store's database work; an error that means "the database is unreachable" becomes a
 * DatabaseUnavailableError (answered 503 with Retry-After), any other passes through. Every store uses it,
 * through StoreDatabase.guard().
 */
export async function guardUnavailable<T>(errors: ErrorClassifier, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (errors.isUnavailable(error)) {
      throw new DatabaseUnavailableError(error instanceof Error ? error.message : String(error));
    }
    throw error;
  }
}

/**
 * Runs `work` (a transaction, or statements that apply all or none) again when the database reports a
 * deadlock or a busy file, up to 5 times with a short random pause; guarded as above.
 */
export function retryingTransient<T>(errors: ErrorClassifier, work: () => Promise<T>): Promise<T> {
  return guardUnavailable(errors, async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (attempt >= TRANSACTION_ATTEMPTS || !errors.isRetryable(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt * Math.random()));
      }
    }
  });
}
