import { Availability, AvailabilityInput } from '@healthmatch/contracts';
import { bearer, problemResponses } from '../problems.ts';

export const putAvailabilitySchema = {
  tags: ['availability'],
  summary: 'Replace my weekly availability and date exceptions (provider)',
  description:
    'Wall-clock intervals in an IANA time zone. Intervals of one day must not overlap; an exception replaces the weekly hours of its date (closed, or other intervals). minNoticeMinutes defaults to 120. maxAdvanceDays (booking horizon, 1..730) defaults to 180: slots of dates after today + maxAdvanceDays in the provider\'s zone are not offered nor bookable.',
  security: bearer,
  body: AvailabilityInput,
  response: { 200: Availability, ...problemResponses(400, 401, 403) },
} as const;

export const getAvailabilitySchema = {
  tags: ['availability'],
  summary: 'My availability (provider)',
  security: bearer,
  response: { 200: Availability, ...problemResponses(401, 403, 404) },
} as const;
