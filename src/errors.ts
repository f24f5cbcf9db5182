/** An error whose message is safe to show the client, with the HTTP status to answer. */
export class AppError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/** The client sent something unusable; the message names the field. */
export function badRequest(message: string): AppError {
  return new AppError(400, message);
}

export function notFound(message: string): AppError {
  return new AppError(404, message);
}

/** The database cannot be reached right now: answered 503 so that clients retry. */
export class DatabaseUnavailableError extends AppError {
  constructor(readonly reason: string) {
    super(503, 'the database is unavailable right now; retry in a few seconds');
    this.name = 'DatabaseUnavailableError';
  }
}
