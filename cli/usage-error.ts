/**
 * @module
 * A usage mistake: printed without a stack, exit code 2 (kubectl's and Go's flag convention).
 */

/** A mistake in how the command was called. */
export class UsageError extends Error {}
