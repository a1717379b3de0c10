import {
  IdParams,
  MyOfferingsQuery,
  Offering,
  OfferingInput,
  OfferingPatch,
  OfferingsPage,
  ProviderOfferingsQuery,
} from '@healthmatch/contracts';
import { bearer, problemResponses } from '../problems.ts';

export const createOfferingSchema = {
  tags: ['offerings'],
  summary: 'Publish an offering (provider)',
  description:
    "The calling provider offers a catalogue service. location defaults to the provider's address. The provider's name, city and demo flag are copied from the users service; when users cannot be reached nothing is stored (502/504).",
  security: bearer,
  body: OfferingInput,
  response: { 201: Offering, ...problemResponses(400, 401, 403, 422, 502, 503, 504) },
} as const;

export const patchOfferingSchema = {
  tags: ['offerings'],
  summary: 'Change or deactivate an own offering (provider)',
  description:
    "Only the owner; anyone else gets 404. active: false takes the offering out of search (it stays readable by id). Every change refreshes the copy of the provider's profile; deactivating alone works even while the users service is unreachable.",
  security: bearer,
  params: IdParams,
  body: OfferingPatch,
  response: { 200: Offering, ...problemResponses(400, 401, 403, 404, 422, 502, 503, 504) },
} as const;

export const getOfferingSchema = {
  tags: ['offerings'],
  summary: 'One offering (public)',
  description: 'Inactive offerings are readable too (active: false), so booking can refuse them.',
  params: IdParams,
  response: { 200: Offering, ...problemResponses(400, 404) },
} as const;

export const myOfferingsSchema = {
  tags: ['offerings'],
  summary: "The calling provider's offerings, inactive ones included (provider)",
  security: bearer,
  querystring: MyOfferingsQuery,
  response: { 200: OfferingsPage, ...problemResponses(400, 401, 403) },
} as const;

export const providerOfferingsSchema = {
  tags: ['offerings'],
  summary: "A provider's active offerings (public)",
  params: IdParams,
  querystring: ProviderOfferingsQuery,
  response: { 200: OfferingsPage, ...problemResponses(400) },
} as const;
