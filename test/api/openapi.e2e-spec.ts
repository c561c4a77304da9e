import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ModulesContainer } from '@nestjs/core';
import { PATH_METADATA } from '@nestjs/common/constants.js';
import { REQUIRED_ROLE } from '#libs/auth';
import { IS_PUBLIC } from '#libs/platform';
import { type ApiHarness, startApi } from '../support/api-harness.js';

interface Operation {
  operationId: string;
  tags?: string[];
  summary?: string;
  description?: string;
  security?: Array<Record<string, string[]>>;
  parameters?: Array<{ name: string; in: string; description?: string }>;
  requestBody?: { content: Record<string, { example?: unknown; examples?: Record<string, unknown> }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: unknown }> }>;
}

const ERROR_SCHEMA = { $ref: '#/components/schemas/ErrorResponse' };
/** @nestjs/swagger's metadata keys of @ApiExcludeController and @ApiExcludeEndpoint (not exported). */
const EXCLUDED_CONTROLLER = 'swagger/apiExcludeController';
const EXCLUDED_ENDPOINT = 'swagger/apiExcludeEndpoint';
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/**
 * The OpenAPI document at /docs/openapi.json is what a new officer reads first: every operation says
 * what it does, what it takes (with an example), what it answers for each status, and who may call it.
 */
describe('the OpenAPI document of the officer API', () => {
  let api: ApiHarness;
  let document: {
    paths: Record<string, Partial<Record<(typeof METHODS)[number], Operation>>>;
    tags: Array<{ name: string; description?: string }>;
    components: { securitySchemes: Record<string, Record<string, string>>; schemas: Record<string, unknown> };
  };
  let operations: Array<{ route: string; operation: Operation }>;
  /** operationId (`Controller_method`) -> the role its route needs, or 'public'. */
  const roles = new Map<string, string>();

  beforeAll(async () => {
    api = await startApi();
    document = (await api.http().get('/docs/openapi.json').expect(200)).body;
    operations = Object.entries(document.paths).flatMap(([path, item]) =>
      METHODS.filter((method) => item[method]).map((method) => ({
        route: `${method.toUpperCase()} ${path}`,
        operation: item[method]!,
      })),
    );
    for (const module of api.app.get(ModulesContainer).values()) {
      for (const { metatype } of module.controllers.values()) {
        const controller = metatype as { name: string; prototype: Record<string, unknown> };
        // Left out of the document on purpose (@ApiExcludeController: browser routes, not the API).
        if ((Reflect.getMetadata(EXCLUDED_CONTROLLER, controller) as boolean[] | undefined)?.[0]) continue;
        for (const key of Object.getOwnPropertyNames(controller.prototype)) {
          const handler = controller.prototype[key];
          if (
            key === 'constructor' ||
            typeof handler !== 'function' ||
            Reflect.getMetadata(PATH_METADATA, handler) === undefined
          )
            continue;
          if ((Reflect.getMetadata(EXCLUDED_ENDPOINT, handler) as { disable?: boolean } | undefined)?.disable)
            continue;
          const isPublic =
            Reflect.getMetadata(IS_PUBLIC, handler) ?? Reflect.getMetadata(IS_PUBLIC, controller) ?? false;
          const role =
            Reflect.getMetadata(REQUIRED_ROLE, handler) ?? Reflect.getMetadata(REQUIRED_ROLE, controller);
          roles.set(`${controller.name}_${key}`, isPublic ? 'public' : (role ?? 'default'));
        }
      }
    }
  });
  afterAll(() => api.close());

  const problems = (check: (route: string, operation: Operation) => string | undefined) =>
    operations.flatMap(({ route, operation }) => {
      const problem = check(route, operation);
      return problem ? [`${route}: ${problem}`] : [];
    });

  it('documents every route of the app', () => {
    expect(operations.length).toBeGreaterThan(60);
    expect(operations.map((o) => o.operation.operationId).sort()).toEqual([...roles.keys()].sort());
  });

  it('gives every operation a summary and a description', () => {
    expect(
      problems((_, op) =>
        !op.summary?.trim() ? 'no summary' : !op.description?.trim() ? 'no description' : undefined,
      ),
    ).toEqual([]);
  });

  it('gives every response a schema (or a file type), and every 4xx the shared ErrorResponse', () => {
    expect(
      problems((_, op) => {
        const statuses = Object.keys(op.responses);
        if (!statuses.some((status) => /^2\d\d$/.test(status))) return 'no success response';
        for (const status of statuses) {
          const response = op.responses[status];
          if (!response.description?.trim()) return `${status} has no description`;
          if (status === '204') {
            if (response.content) return '204 with a body';
            continue;
          }
          const media = Object.entries(response.content ?? {});
          if (media.length === 0 || media.some(([, m]) => !m.schema)) return `${status} has no schema`;
          // 4xx are the caller's: one shared body. 5xx may describe their own (readiness checks).
          if (
            /^4\d\d$/.test(status) &&
            !media.every(([, m]) => JSON.stringify(m.schema) === JSON.stringify(ERROR_SCHEMA))
          )
            return `${status} is not an ErrorResponse`;
        }
        return undefined;
      }),
    ).toEqual([]);
    expect(document.components.schemas).toHaveProperty('ErrorResponse');
  });

  it('documents the errors each kind of route can answer: 401 and 429 when secured, 403 above auditor, 400 for input, 404 for a path name', () => {
    expect(
      problems((route, op) => {
        const statuses = Object.keys(op.responses);
        const role = roles.get(op.operationId);
        const method = route.split(' ')[0];
        const required = role === 'default' ? (method === 'GET' ? 'auditor' : 'officer') : role;
        const needs: string[] = [];
        if (required !== 'public') needs.push('401', '429');
        if (required === 'officer' || required === 'admin') needs.push('403');
        if (op.requestBody || (op.parameters ?? []).some((p) => p.in === 'query')) needs.push('400');
        if ((op.parameters ?? []).some((p) => p.in === 'path')) needs.push('404');
        const missing = needs.filter((status) => !statuses.includes(status));
        if (required !== 'public' && !op.security?.some((s) => 'bearer' in s)) return 'no bearer security';
        return missing.length > 0 ? `does not document ${missing.join(', ')}` : undefined;
      }),
    ).toEqual([]);
  });

  it('gives every request body an example and describes every parameter', () => {
    expect(
      problems((_, op) => {
        for (const [type, media] of Object.entries(op.requestBody?.content ?? {})) {
          if (media.example === undefined && Object.keys(media.examples ?? {}).length === 0)
            return `${type} body has no example`;
        }
        const bare = (op.parameters ?? []).filter((p) => !p.description?.trim()).map((p) => p.name);
        return bare.length > 0 ? `parameters without a description: ${bare.join(', ')}` : undefined;
      }),
    ).toEqual([]);
  });

  it('puts every operation in a group that says what it is for', () => {
    const described = new Map(document.tags.map((tag) => [tag.name, tag.description]));
    expect(
      problems((_, op) => {
        const tag = op.tags?.[0];
        if (!tag) return 'no group (tag)';
        return described.get(tag)?.trim() ? undefined : `group ${tag} has no description`;
      }),
    ).toEqual([]);
  });

  it('states the bearer token as opaque, not a JWT', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'opaque',
    });
    expect(document.components.securitySchemes.bearer.description).toMatch(/opaque/);
  });
});
