// Refuses request targets that could escape their prefix or mean something else to the
// service behind the gateway than to the gateway's own router: dot segments (also
// percent-encoded, any case, any depth of encoding), empty segments, backslashes, encoded
// slashes, NUL and other control characters, malformed escapes. Runs on the raw target.

const MAX_DECODE_ROUNDS = 4;
const ENCODED_FORBIDDEN = /%(2f|5c|0[0-9a-f]|1[0-9a-f]|7f)/i;
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Why the target is refused, or undefined when it is acceptable. */
export function pathProblem(rawUrl: string): string | undefined {
  if (!rawUrl.startsWith('/')) return 'the request target must be a path';
  const end = rawUrl.search(/[?#]/);
  let current = end < 0 ? rawUrl : rawUrl.slice(0, end);
  for (let round = 0; round <= MAX_DECODE_ROUNDS; round++) {
    if (current.includes('\\')) return 'backslash in path';
    if (CONTROL.test(current)) return 'control character in path';
    if (current.includes('//')) return 'empty path segment';
    if (current.split('/').some((s) => s === '.' || s === '..')) return 'dot segment in path';
    if (ENCODED_FORBIDDEN.test(current)) return 'encoded slash, backslash or control character in path';
    if (!current.includes('%')) return undefined;
    let decoded: string;
    try {
      decoded = decodeURIComponent(current);
    } catch {
      return 'malformed percent-encoding in path';
    }
    if (decoded === current) return undefined;
    current = decoded;
  }
  return 'path encoded too many times';
}
