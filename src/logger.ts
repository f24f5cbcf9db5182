import pino, { type Logger } from 'pino';

/** Log bytes kept while stdout is not being read; lines past it are dropped, not kept in memory. */
export const PENDING_LOG_BYTES = 8 * 1024 * 1024;

/**
 * Where the server's lines go: stdout, written asynchronously (pino's default, made explicit here to bound
 * it). Lines logged while a write is in flight leave together with the next one, so a reader that falls
 * behind (a container's log driver, a `| less` left open) never blocks the event loop; while it reads
 * nothing, at most PENDING_LOG_BYTES wait in memory and later lines are dropped, said once on stderr.
 * pino flushes what is pending synchronously when the process exits, so a fatal line before
 * process.exit() is kept.
 */
export function serverLogDestination(): pino.DestinationStream {
  const destination = pino.destination({ dest: 1, sync: false, maxLength: PENDING_LOG_BYTES });
  destination.once('drop', () =>
    process.stderr.write('versions: stdout is not being read; log lines are being dropped\n'),
  );
  return destination;
}

/** JSON lines on stdout, ISO times; the Authorization header and tokens never reach a line. */
export function createLogger(level = 'info', destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'versions' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: ['req.headers.authorization', '*.token', '*.tokens', 'secret'], censor: '***' },
    },
    destination,
  );
}
