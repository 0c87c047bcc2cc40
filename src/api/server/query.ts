/**
 * Boolean query parameters, decoded as upstream decodes them into options
 * structs (ListOptions, PatchOptions, DeleteOptions, PodLogOptions,
 * PodExecOptions, ...) with runtime.Convert_Slice_string_To_bool: absent is
 * false; the first value `0` or `false` (any case) is false; any other value,
 * the empty one included, is true. So the Python client's `watch=True` is a
 * watch and `force=True` forces. Such a parameter is never a 400.
 *
 * `pretty` alone is read with strconv.ParseBool (responsewriters'
 * isPrettyPrint): see prettyRequested.
 */

/** A boolean option: false when absent. */
export function queryBool(q: URLSearchParams, name: string): boolean {
  return queryOptionalBool(q, name) ?? false;
}

/** A pointer-typed boolean option (`*bool`, e.g. force, orphanDependents): undefined when absent. */
export function queryOptionalBool(q: URLSearchParams, name: string): boolean | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const lower = v.toLowerCase();
  return !(lower === 'false' || lower === '0');
}

/** Go's strconv.ParseBool; undefined for anything it refuses. */
export function parseGoBool(s: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(s)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(s)) return false;
  return undefined;
}

/**
 * Whether a response is pretty-printed, as upstream's isPrettyPrint: a
 * non-empty `pretty` decides (strconv.ParseBool, a value it refuses meaning
 * false); otherwise clients whose user agent is curl, Wget or a browser get it.
 */
export function prettyRequested(rawQuery: string, q: URLSearchParams, userAgent: string): boolean {
  if (rawQuery.includes('pretty')) {
    const p = q.get('pretty') ?? '';
    if (p !== '') return parseGoBool(p) ?? false;
  }
  return userAgent.startsWith('curl') || userAgent.startsWith('Wget') || userAgent.startsWith('Mozilla/5.0');
}

/** Whether a request target asks for a watch (`watch` as a boolean option), before routing parses it. */
export function watchRequested(target: string): boolean {
  const i = target.indexOf('?');
  return i >= 0 && queryBool(new URLSearchParams(target.slice(i + 1)), 'watch');
}
