import { CatalogService, IdParams, ServicesPage, ServicesQuery } from '@healthmatch/contracts';
import { problemResponses } from '../problems.ts';

export const listServicesSchema = {
  tags: ['catalog'],
  summary: 'Catalogue services',
  description:
    'The national catalogue of outpatient services. q matches the beginnings of words of the code and description, ignoring case and accents; every word must match, in any order ("visita oculistica"). Services whose name holds every word come first, then by code. specialty is an outpatient branch code; a service\'s specialty is derived from its description (derived: true, with the rule that placed it).',
  querystring: ServicesQuery,
  response: { 200: ServicesPage, ...problemResponses(400) },
} as const;

export const getServiceSchema = {
  tags: ['catalog'],
  summary: 'One catalogue service',
  params: IdParams,
  response: { 200: CatalogService, ...problemResponses(400, 404) },
} as const;
