// OpenAPI documentation of the error answers (problem+json) and of bearer security, for
// route schemas. The kit's error handler serialises problems itself, so these schemas
// document and never filter. The service registers the `Problem` schema (app.addSchema)
// that the $ref points to.
import { Type } from '@sinclair/typebox';

const problemResponse = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: Type.Unsafe<unknown>({ $ref: 'Problem#' }) } },
};

export function problemResponses<const S extends readonly number[]>(...statuses: S): Record<S[number], typeof problemResponse> {
  return Object.fromEntries(statuses.map((s) => [s, problemResponse])) as Record<S[number], typeof problemResponse>;
}

/** `security` of a route that needs `Authorization: Bearer <access token>`. */
export const bearer = [{ bearerAuth: [] }];
