// The admin API's OpenAPI 3.1 document, generated from the zod schemas in schemas.ts (zod's
// own JSON Schema output, draft 2020-12, which is OpenAPI 3.1's schema dialect). Served at
// /api/admin/openapi.json. Invariant: every route of src/http/admin.ts appears in PATHS.
import { z } from 'zod';
import { SCHEMAS } from './schemas.ts';

type Json = Record<string, unknown>;

const ref = (name: keyof typeof SCHEMAS): Json => ({ $ref: `#/components/schemas/${name}` });

const json = (schema: Json, description: string): Json => ({
  description,
  content: { 'application/json': { schema } },
});

const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: ref('Error') } },
});

/** The replies every authenticated route may give besides its own. */
const COMMON: Json = {
  '401': problem('No or wrong credentials'),
  '403': problem('The signed-in account may not do this here (the refusal is audited)'),
};

const body = (name: keyof typeof SCHEMAS): Json => ({
  required: true,
  content: { 'application/json': { schema: ref(name) } },
});

const query = (name: string, description: string): Json => ({
  name,
  in: 'query',
  required: false,
  schema: { type: 'string' },
  description,
});

const PATHS: Json = {
  '/api/admin/units': {
    get: {
      summary: 'List the units within reach, in tree order',
      responses: { '200': json({ type: 'array', items: ref('Unit') }, 'The units'), ...COMMON },
    },
    post: {
      summary: 'Create a unit (its parent must exist)',
      requestBody: body('NewUnit'),
      responses: {
        '201': json(ref('Unit'), 'Created'),
        '400': problem('Invalid body; `errors` names the fields'),
        '404': problem('The parent unit does not exist'),
        '409': problem('The unit exists already'),
        ...COMMON,
      },
    },
  },
  '/api/admin/users': {
    get: {
      summary: 'List the accounts within reach',
      parameters: [query('unit', 'Only accounts in this unit and below it')],
      responses: { '200': json({ type: 'array', items: ref('User') }, 'The accounts'), ...COMMON },
    },
    post: {
      summary: 'Create an account',
      requestBody: body('NewUser'),
      responses: {
        '201': json(ref('CreatedUser'), 'Created'),
        '400': problem('Invalid body (or a weak password); `errors` names the fields'),
        '404': problem('The unit or the domain does not exist'),
        '409': problem('The address is in use'),
        ...COMMON,
      },
    },
  },
  '/api/admin/users/{email}/password': {
    post: {
      summary: "Reset an account's password (helpdesk and up)",
      parameters: [{ name: 'email', in: 'path', required: true, schema: { type: 'string' } }],
      requestBody: body('PasswordReset'),
      responses: {
        '200': json(ref('User'), 'The password was changed'),
        '400': problem('Invalid body or weak password; `errors` names the fields'),
        '404': problem('No such account'),
        ...COMMON,
      },
    },
  },
  '/api/admin/audit': {
    get: {
      summary: 'Read the audit log within reach, newest first',
      parameters: [
        query('since', 'Only rows at or after this time (ms since the epoch, or ISO 8601)'),
        query('action', 'Only this action; a prefix when it ends with "." or "*"'),
      ],
      responses: {
        '200': json({ type: 'array', items: ref('AuditEntry') }, 'The rows'),
        '400': problem('Invalid query; `errors` names the parameters'),
        ...COMMON,
      },
    },
  },
};

/** The document, built once: the schemas do not change while the server runs. */
let cached: Json | undefined;

export function openApiDocument(version = '0.0.0'): Json {
  if (cached) return cached;
  const schemas: Json = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) {
    const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { target: 'draft-2020-12' });
    schemas[name] = rest;
  }
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Champa admin API',
      version,
      description:
        'Units, accounts and the audit log. Every action passes the same role check as the ' +
        'command line and is written to the audit log.',
    },
    servers: [{ url: '/' }],
    security: [{ basic: [] }],
    paths: PATHS,
    components: {
      schemas,
      securitySchemes: { basic: { type: 'http', scheme: 'basic' } },
    },
  };
  return cached;
}
