// The kit's OpenAPI helpers for error answers, and the Problem schema they refer to.
export { Problem } from '@healthmatch/contracts';
export { bearer, problemResponses } from '@healthmatch/platform';
