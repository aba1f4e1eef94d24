// Customers of the vendor, addressed by the vendor's own id.
import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { Forbidden } from '../../errors';
import { createCustomer, URL_ID } from '../../tenancy/customers';
import { setTrace } from '../../runs/trace-switch';
import { defineRoute } from '../route';

const customerView = z.object({ id: z.string().describe("The vendor's own id"), name: z.string(), defaultCountry: z.string().length(2) });

export const createCustomerRoute = defineRoute({
  operationId: 'createCustomer',
  method: 'POST',
  path: '/api/v1/customers',
  tag: 'Customers',
  summary: 'Create a customer (idempotent by externalId)',
  auth: { kind: 'apiKey' },
  body: z.object({
    externalId: z.string().min(1).max(200).regex(URL_ID, 'letters, digits and . _ ~ - only (it is used in URLs)'),
    name: z.string().min(1).max(200),
    defaultCountry: z.string().regex(/^[A-Za-z]{2}$/, 'a two-letter country code such as US').refine((c) => isSupportedCountry(c.toUpperCase()), 'not a country code libphonenumber knows (ISO 3166-1 alpha-2, such as US or GB)').default('US'),
  }),
  responses: {
    201: { description: 'Created', schema: customerView.extend({ created: z.literal(true) }) },
    200: { description: 'It existed already (unchanged)', schema: customerView.extend({ created: z.literal(false) }) },
  },
  errors: { 403: 'forbidden: a customer-scoped key cannot create customers' },
  async handler({ body, principal, deps }) {
    if (principal.customerId) throw new Forbidden('A customer-scoped key cannot create customers');
    const { ref, created } = await createCustomer(deps.sql, { vendorId: principal.vendorId, ...body });
    return { status: created ? 201 : 200, body: { id: ref.externalId, name: ref.name, defaultCountry: ref.defaultCountry, created } };
  },
});

export const getCustomer = defineRoute({
  operationId: 'getCustomer',
  method: 'GET',
  path: '/api/v1/customers/:customerId',
  tag: 'Customers',
  summary: 'Read a customer',
  auth: { kind: 'apiKey' },
  responses: { 200: { description: 'The customer', schema: customerView } },
  async handler({ customer: c }) {
    return { status: 200, body: { id: c.externalId, name: c.name, defaultCountry: c.defaultCountry } };
  },
});

export const setCustomerTrace = defineRoute({
  operationId: 'setCustomerTrace',
  method: 'POST',
  path: '/api/v1/customers/:customerId/trace',
  tag: 'Customers',
  summary: 'Trace the customer\'s next N runs (recorded in full whatever the recording policy)',
  description: 'For support: the customer\'s next `runs` runs are recorded with every step, whatever the automation\'s recording policy '
    + '(takes effect within PATCHBAY_AUTOMATION_CACHE_MS). `0` turns it off. One request can be traced with the header `X-Patchbay-Trace: 1` instead.',
  auth: { kind: 'apiKey' },
  body: z.object({ runs: z.number().int('a whole number').min(0, 'from 0 to 10000').max(10_000, 'from 0 to 10000') }),
  responses: { 200: { description: 'Set', schema: z.object({ runs: z.number(), setAt: z.string() }) } },
  errors: { 403: 'forbidden: a customer-scoped key cannot switch tracing' },
  async handler({ body, principal, customer, deps }) {
    if (principal.customerId) throw new Forbidden('A customer-scoped key cannot switch tracing');
    return { status: 200, body: await setTrace(deps.sql, customer.id, body.runs) };
  },
});
