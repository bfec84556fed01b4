/**
 * @module
 * One line per meaningful action, on stdout: `<time> <level> <message> k=v …`.
 * Plain text rather than JSON because people read agent logs in a terminal
 * first; the key=value tail still greps and parses.
 */

/** Values a log field may carry. */
export type LogValue = string | number | boolean | undefined;

/** Where the agent's modules write. */
export interface Logger {
  info(message: string, fields?: Record<string, LogValue>): void;
  warn(message: string, fields?: Record<string, LogValue>): void;
  error(message: string, fields?: Record<string, LogValue>): void;
}

function formatValue(value: string | number | boolean): string {
  const text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

/** Renders one log line (exported for tests and for loggers that write elsewhere). */
export function formatLine(level: string, message: string, fields: Record<string, LogValue> = {}, now = new Date()): string {
  const tail = Object.entries(fields)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([k, v]) => `${k}=${formatValue(v)}`);
  return [now.toISOString(), level, message, ...tail].join(" ");
}

/**
 * A logger writing whole lines through `write` (stdout by default).
 * @example createLogger().info("started", { pod: "default/web" })
 */
export function createLogger(write: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Logger {
  return {
    info: (message, fields) => write(formatLine("info", message, fields)),
    warn: (message, fields) => write(formatLine("warn", message, fields)),
    error: (message, fields) => write(formatLine("error", message, fields)),
  };
}

/** A logger that keeps its lines in memory: tests read them back. */
export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { ...createLogger((line) => lines.push(line)), lines };
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
