import pino, { type Logger } from 'pino';

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
