import { SlotsQuery, SlotsResponse } from '@healthmatch/contracts';
import { problemResponses } from '../problems.ts';

export const getSlotsSchema = {
  tags: ['slots'],
  summary: 'Free slots of an offering (public)',
  description:
    'from and to are dates in the provider\'s time zone, both included, at most 62 days, between 1900-01-01 and 2199-12-31. Slots already booked (any offering of the provider), in the past, inside the minimum notice or beyond the provider\'s booking horizon (maxAdvanceDays) are left out.',
  querystring: SlotsQuery,
  response: { 200: SlotsResponse, ...problemResponses(400, 404, 422, 502, 504) },
} as const;
