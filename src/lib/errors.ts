/**
 * The one error base. Every error svcnet defines extends SvcnetError: a
 * stable `code` that programs and tests branch on (messages are for people
 * and may change), and the standard `cause` for what led to it. Kubernetes
 * Status errors use the Status `code` (the HTTP status), which is already
 * stable; every other code is a short SCREAMING_SNAKE string.
 */

export type ErrorCode = string | number;

export class SvcnetError<Code extends ErrorCode = string> extends Error {
  constructor(
    readonly code: Code,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The message of anything thrown (an Error's message; anything else as text). */
export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The stable code of an error: a SvcnetError's, or Node's (`ECONNREFUSED`, `ERR_…`); else undefined. */
export function errCode(err: unknown): ErrorCode | undefined {
  if (err instanceof SvcnetError) return err.code;
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' || typeof code === 'number' ? code : undefined;
}

/** The chain of causes below an error, outermost first, as text (bounded, cycles cut). */
export function causeChain(err: unknown): string[] {
  const out: string[] = [];
  const seen = new Set<unknown>([err]);
  let cur = err instanceof Error ? err.cause : undefined;
  while (cur !== undefined && !seen.has(cur) && out.length < 8) {
    seen.add(cur);
    out.push(errText(cur));
    cur = cur instanceof Error ? cur.cause : undefined;
  }
  return out;
}
