// The admin API's OpenAPI 3.1 document, generated from the route list (routes.ts) and the zod
// schemas (schemas.ts) with zod's own JSON Schema output (draft 2020-12, OpenAPI 3.1's schema
// dialect). Served at /api/admin/openapi.json. Invariant: every route the server dispatches is
// in ROUTES, so every route is in this document.
import { z } from 'zod';
import { ROUTES, type RouteSpec } from './routes.ts';
import { PROBLEM_CODES, PROBLEMS } from '../util/problems.ts';
import { SCHEMAS, type SchemaName } from './schemas.ts';

type Json = Record<string, unknown>;

const ref = (name: SchemaName): Json => ({ $ref: `#/components/schemas/${name}` });

const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: ref('Error') } },
});

function jsonSchema(schema: z.ZodType): Json {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return rest;
}

function parameters(r: RouteSpec): Json[] {
  const out: Json[] = [];
  for (const m of r.path.matchAll(/\{(\w+)\}/g))
    out.push({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
      description: m[1] === 'email' ? "The account's address (percent-encoded)" : undefined,
    });
  if (r.query) {
    const shape = r.query.shape as Record<string, z.ZodType>;
    for (const [name, field] of Object.entries(shape)) {
      const { description, ...schema } = jsonSchema(field);
      out.push({
        name,
        in: 'query',
        required: !field.safeParse(undefined).success,
        schema,
        ...(description ? { description } : {}),
      });
    }
  }
  return out;
}

function operation(r: RouteSpec): Json {
  const responses: Json = {};
  const ok = r.ok;
  if (ok.csv)
    responses[ok.status] = {
      description: ok.description,
      content: { 'text/csv': { schema: { type: 'string' } } },
    };
  else if (ok.schema)
    responses[ok.status] = {
      description: ok.description,
      content: {
        'application/json': {
          schema: ok.array ? { type: 'array', items: ref(ok.schema) } : ref(ok.schema),
        },
      },
    };
  else responses[ok.status] = { description: ok.description };
  if (r.body || r.query || r.path.includes('{'))
    responses['400'] = problem('Invalid input; `errors` names each field');
  if (!r.public) {
    responses['401'] = problem('No or wrong credentials');
    responses['403'] = problem('Not yours to do here (the refusal is in the audit log)');
  }
  for (const [status, description] of Object.entries(r.errors ?? {}))
    responses[status] = problem(description);
  const op: Json = {
    operationId: r.id,
    summary: r.summary,
    description: `Who: ${r.who}.`,
    tags: [r.path.split('/')[3] ?? 'welcome'],
    parameters: parameters(r),
    responses,
  };
  if (r.public) op.security = [];
  if (r.body === 'csv')
    op.requestBody = {
      required: true,
      content: { 'text/csv': { schema: { type: 'string', description: 'UTF-8 text' } } },
    };
  else if (r.body)
    op.requestBody = { required: true, content: { 'application/json': { schema: ref(r.body) } } };
  return op;
}

/** The document, built once: the schemas do not change while the server runs. */
let cached: Json | undefined;

export function openApiDocument(version = '0.0.0'): Json {
  if (cached) return cached;
  const schemas: Json = {};
  for (const [name, schema] of Object.entries(SCHEMAS)) schemas[name] = jsonSchema(schema);
  // Each problem code with the names of its params (an extension keyword, as OpenAPI 3.1
  // allows x- members in a Schema Object).
  schemas.ProblemCode = {
    ...(schemas.ProblemCode as Json),
    'x-params': Object.fromEntries(PROBLEM_CODES.map((c) => [c, PROBLEMS[c].params])),
  };
  const paths: Record<string, Json> = {};
  for (const r of ROUTES) (paths[r.path] ??= {})[r.method.toLowerCase()] = operation(r);
  cached = {
    openapi: '3.1.0',
    info: {
      title: 'Champa admin API',
      version,
      description:
        'Units, accounts, roles, bulk import, the mail queue, message trace, the audit log, ' +
        'domains and API keys. Every action passes the same role check as the command line ' +
        'and is written to the audit log; listings show only what lies within your reach. ' +
        'Sign in with the web session cookie, HTTP Basic, or an API key as a Bearer token. ' +
        'Lists are pages: {items, total, offset, limit}. Errors are RFC 9457 problem details ' +
        'with a stable `code` and its `params` (ProblemCode lists every code and its params) ' +
        'beside the English `detail`; 400s name each invalid field in `errors`. A bulk ' +
        "import's rows carry their problems the same way.",
    },
    servers: [{ url: '/' }],
    security: [{ basic: [] }, { bearer: [] }, { session: [] }],
    paths,
    components: {
      schemas,
      securitySchemes: {
        basic: { type: 'http', scheme: 'basic' },
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key (POST /api/admin/apikeys)',
        },
        session: { type: 'apiKey', in: 'cookie', name: 'champa_session' },
      },
    },
  };
  return cached;
}
