export {
  type CertificateAudit,
  createLogger,
  type Logger,
  type LogLevel,
  logLine,
  REDACTED,
} from './logger.js';
