import { writeFileSync } from "node:fs";
import { z } from "zod";

type Json = Record<string, unknown>;

/** The body of every error answer (problemHandler writes it): one schema for every API's document. */
export const problemBodySchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    field: z.string().optional().meta({ description: "The first field at fault (400)." }),
    errors: z.array(z.object({ field: z.string(), problem: z.string() })).optional(),
    reason: z.string().optional().meta({ description: "Machine-readable reason, e.g. SESSION_NOT_FOUND." }),
    dependency: z
      .string()
      .optional()
      .meta({
        description:
          "What is out of reach (503): the service's own postgresql or redis (reason DEPENDENCY_UNAVAILABLE), a peer " +
          "service (session-broker), or a peer's dependency (session-broker/postgresql); ask again after Retry-After.",
      }),
    retryAfterS: z
      .number()
      .int()
      .optional()
      .meta({ description: "Seconds before asking again (503), as Retry-After says." }),
  })
  .meta({ id: "Problem", description: "RFC 9457 problem details." });

/** One operation of an HTTP API, described by the zod schemas that validate it. */
export interface ApiOperation {
  method: "get" | "post" | "put" | "delete";
  /** OpenAPI form, e.g. `/v1/sessions/{sessionId}`. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** Path parameters: the properties named in `path`. */
  params?: z.ZodType;
  /** Query parameters: every property. */
  query?: z.ZodType;
  /** Request headers the operation reads, as OpenAPI parameter objects. */
  headers?: Json[];
  body?: z.ZodType;
  /** The 2xx answer: 204 (or no `response`) has no body. */
  status: number;
  response?: z.ZodType;
  /** Further media types of the 2xx answer besides `response`'s JSON (e.g. `text/csv`), as OpenAPI media type objects. */
  responseContent?: Record<string, Json>;
  /** Headers of the 2xx answer, as OpenAPI header objects by name. */
  responseHeaders?: Record<string, Json>;
  /** Every status answered with a problem body; each needs an entry in `problems` of the document. */
  errors: number[];
}

export interface OpenApiOptions {
  info: { title: string; version: string; description: string };
  tags: { name: string; description: string }[];
  /** What each problem status means in this API. */
  problems: Record<number, string>;
  operations: readonly ApiOperation[];
}

/**
 * JSON Schema of one zod schema with its named parts (`meta({ id })`) moved into `components`: zod
 * writes them as `$defs` of each schema; the document refers to them once.
 */
function jsonSchema(schema: z.ZodType, io: "input" | "output", components: Json): Json {
  const { $defs, ...rest } = z.toJSONSchema(schema, { target: "draft-2020-12", io }) as Json & { $defs?: Json };
  delete rest.$schema;
  for (const [name, definition] of Object.entries($defs ?? {})) components[name] = relinked(definition);
  return relinked(rest) as Json;
}

const relinked = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value).replaceAll('"#/$defs/', '"#/components/schemas/'));

function parameters(operation: ApiOperation, components: Json): Json[] {
  const of = (schema: z.ZodType | undefined) =>
    (schema ? jsonSchema(schema, "input", components) : {}) as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
  const path = of(operation.params);
  const query = of(operation.query);
  return [
    ...Object.entries(path.properties ?? {})
      .filter(([name]) => operation.path.includes(`{${name}}`))
      .map(([name, schema]) => ({ name, in: "path", required: true, schema })),
    ...Object.entries(query.properties ?? {}).map(([name, schema]) => ({
      name,
      in: "query",
      required: query.required?.includes(name) ?? false,
      schema,
    })),
    ...(operation.headers ?? []),
  ];
}

/** A body is required when it has required fields; commands without any may be posted bare. */
const requestBody = (schema: Json) => ({
  required: Array.isArray(schema.required) && schema.required.length > 0,
  content: { "application/json": { schema } },
});

function operationObject(operation: ApiOperation, components: Json): Json {
  const errors = [...new Set(operation.errors)].sort();
  const headers = operation.responseHeaders ? { headers: operation.responseHeaders } : {};
  return {
    operationId: operation.operationId,
    summary: operation.summary,
    tags: [operation.tag],
    parameters: parameters(operation, components),
    ...(operation.body ? { requestBody: requestBody(jsonSchema(operation.body, "input", components)) } : {}),
    responses: {
      [operation.status]:
        operation.status === 204 || !operation.response
          ? { description: "Done.", ...headers }
          : {
              description: "Done.",
              ...headers,
              content: {
                "application/json": { schema: jsonSchema(operation.response, "output", components) },
                ...operation.responseContent,
              },
            },
      ...Object.fromEntries(errors.map((s) => [s, { $ref: `#/components/responses/Problem${s}` }])),
    },
  };
}

/**
 * An OpenAPI 3.1 document generated from the operations' zod schemas: the same schemas validate the
 * requests, so what is served cannot drift from what is documented. Every operation takes a bearer JWT.
 */
export function openApiDocument(options: OpenApiOptions): Json {
  const components: Json = {};
  jsonSchema(problemBodySchema, "output", components);
  const paths: Record<string, Json> = {};
  for (const operation of options.operations)
    (paths[operation.path] ??= {})[operation.method] = operationObject(operation, components);
  return {
    openapi: "3.1.0",
    info: options.info,
    servers: [{ url: "/" }],
    security: [{ bearer: [] }],
    tags: options.tags,
    paths,
    components: {
      securitySchemes: { bearer: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      responses: Object.fromEntries(
        Object.entries(options.problems).map(([status, description]) => [
          `Problem${status}`,
          {
            description,
            content: { "application/problem+json": { schema: { $ref: "#/components/schemas/Problem" } } },
          },
        ]),
      ),
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

/** A document as it is checked in: two-space JSON and a final newline (what prettier leaves too). */
const openApiText = (document: Json): string => `${JSON.stringify(document, null, 2)}\n`;

/** Writes a checked-in document (the `npm run openapi:*` scripts); the drift tests compare with it. */
export function writeOpenApi(file: string, document: Json): void {
  writeFileSync(file, openApiText(document));
  process.stdout.write(`wrote ${file}\n`);
}
