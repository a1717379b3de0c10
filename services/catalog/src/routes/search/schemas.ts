import { SearchPage, SearchQuery } from '@healthmatch/contracts';
import { problemResponses } from '../problems.ts';

export const searchSchema = {
  tags: ['catalog'],
  summary: 'Search offerings (public)',
  description: [
    'Active offerings only. q: beginnings of words of the service (code, name, description) and of the provider\'s name, ignoring case and accents; every word must match.',
    'specialty: outpatient branch code. city: the offering\'s city, ignoring case and accents. maxPrice: minor units. modality: in_person or telehealth.',
    'lat and lon come together; radiusKm (default 25, at most 500) needs them. With lat/lon, hits within the radius are sorted by distance (distanceKm) and then by id; otherwise by price and then by id.',
    'nextCursor continues the same query; a cursor made for the other sort order is refused (400).',
  ].join(' '),
  querystring: SearchQuery,
  response: { 200: SearchPage, ...problemResponses(400) },
} as const;
