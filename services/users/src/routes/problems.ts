// Error answers for the OpenAPI description. The kit sends them (problem+json) itself;
// these schemas only document which ones a route can give.
import { Problem } from '@healthmatch/contracts';
import { Type } from '@sinclair/typebox';

// Inline copy without $id: a shared $id would turn into a generated, clashing name once the
// gateway merges every service's document.
const ProblemBody = Type.Object(Problem.properties, { description: 'RFC 9457 problem details (application/problem+json)' });

export function problems(...statuses: Array<400 | 401 | 403 | 404 | 409>) {
  return Object.fromEntries(statuses.map((s) => [s, ProblemBody])) as Record<number, typeof ProblemBody>;
}
