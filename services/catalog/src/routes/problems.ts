// OpenAPI documentation of the error answers (problem+json). The error handler serialises
// problems itself, so these schemas document and never filter.
import { Type } from '@sinclair/typebox';

const ProblemRef = Type.Unsafe<unknown>({ $ref: 'Problem#' });

export function problemResponses<const S extends readonly number[]>(...statuses: S): Record<S[number], typeof ProblemRef> {
  return Object.fromEntries(statuses.map((s) => [s, ProblemRef])) as Record<S[number], typeof ProblemRef>;
}

export const bearer = [{ bearerAuth: [] }];
