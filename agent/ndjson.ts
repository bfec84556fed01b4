/**
 * @module
 * Splits a chunked watch body into lines (one JSON event per line; chunk
 * boundaries fall anywhere, including inside a multi-byte character, which
 * `setEncoding("utf8")` on the response already handles).
 */

/** Yields each complete non-empty line of `chunks`; a trailing partial line is yielded at the end. */
export async function* lines(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  let buffered = "";
  for await (const chunk of chunks) {
    buffered += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    let nl = buffered.indexOf("\n");
    while (nl >= 0) {
      const line = buffered.slice(0, nl).trim();
      buffered = buffered.slice(nl + 1);
      if (line) yield line;
      nl = buffered.indexOf("\n");
    }
  }
  const rest = buffered.trim();
  if (rest) yield rest;
}
