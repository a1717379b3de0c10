// OpenAPI documentation of the error answers (problem+json). The error handler serialises
// problems itself, so these schemas document and never filter.
import { Problem } from '@healthmatch/contracts';
import { Type } from '@sinclair/typebox';

const problemResponse = {
  description: 'Problem details (RFC 9457)',
  content: { 'application/problem+json': { schema: Type.Unsafe<unknown>({ $ref: 'Problem#' }) } },
};

export function problemResponses<const S extends readonly number[]>(...statuses: S): Record<S[number], typeof problemResponse> {
  return Object.fromEntries(statuses.map((s) => [s, problemResponse])) as Record<S[number], typeof problemResponse>;
}

export { Problem };
export const bearer = [{ bearerAuth: [] }];
