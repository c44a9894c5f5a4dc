import pino, { type Logger } from 'pino';
import type { Config } from '../core/config.js';

/**
 * The one root logger: JSON lines on stdout, pretty only on a terminal, tokens never logged.
 * Components take `logger.child({ module })`.
 */
export function createLogger(
  level: Config['logLevel'],
  stream: NodeJS.WritableStream = process.stdout,
): Logger {
  const pretty = stream === process.stdout && process.stdout.isTTY;
  return pino(
    {
      level,
      redact: {
        paths: ['req.headers.authorization', '*.registry_token', '*.github_token', '*.oidc_token'],
        censor: '[redacted]',
      },
      ...(pretty
        ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'SYS:HH:MM:ss' } } }
        : {}),
    },
    pretty ? undefined : (stream as pino.DestinationStream),
  );
}
