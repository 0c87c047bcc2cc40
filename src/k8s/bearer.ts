/** The token of an `Authorization: Bearer <token>` header, as upstream's bearertoken authenticator reads it. */
export function bearerToken(header: string | undefined): string | undefined {
  const parts = (header ?? '').trim().split(' ', 3);
  // The scheme in any case; the token is the second word (an empty one, from two spaces, is no credential).
  if (parts.length < 2 || parts[0]!.toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}
