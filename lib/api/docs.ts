// The API's description, generated from the route declarations: GET /api/v1/openapi.json, and a browsable
// page at /api/docs (Swagger UI from the swagger-ui-dist npm package, served from here: no CDN).
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { z } from 'zod';
import { NotFound } from '../errors';
import { buildOpenApiDocument } from './openapi';
import { defineRoute, type RouteDef } from './route';

let documentText_: string | null = null;
let routesForDocument: readonly RouteDef[] = [];

/** Set once by routes.ts (the document describes every declared route, itself included). */
export function describeRoutes(routes: readonly RouteDef[]): void {
  routesForDocument = routes;
  documentText_ = null;
}

export function openApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(routesForDocument, '1.0.0');
}

function documentText(): string {
  documentText_ ??= JSON.stringify(openApiDocument());
  return documentText_;
}

export const openApiJson = defineRoute({
  operationId: 'openApiDocument',
  method: 'GET',
  path: '/api/v1/openapi.json',
  tag: 'Meta',
  summary: 'This document (OpenAPI 3.1)',
  auth: { kind: 'none' },
  responses: { 200: { description: 'The OpenAPI document', schema: z.looseObject({ openapi: z.string(), paths: z.record(z.string(), z.unknown()) }) } },
  async handler({ res }) {
    const text = documentText();
    res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-cache', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' });
    res.end(text);
  },
});

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Patchbay API</title><link rel="stylesheet" href="/api/docs/swagger-ui.css"></head>
<body><div id="docs"></div>
<script src="/api/docs/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script>
</body></html>`;
const INIT = `window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#docs', deepLinking: true, tryItOutEnabled: false });\n`;

export const docsPage = defineRoute({
  operationId: 'docsPage',
  method: 'GET',
  path: '/api/docs',
  tag: 'Meta',
  summary: 'Browsable API documentation (Swagger UI)',
  auth: { kind: 'none' },
  responses: { 200: { description: 'The docs page', contentType: 'text/html' } },
  async handler({ res }) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(PAGE), 'cache-control': 'no-cache' });
    res.end(PAGE);
  },
});

const ASSETS: Record<string, string> = { 'swagger-ui.css': 'text/css; charset=utf-8', 'swagger-ui-bundle.js': 'text/javascript; charset=utf-8' };
let assetDir: string | null = null;
function swaggerUiDir(): string {
  // Resolved at run time: the server bundle keeps packages in node_modules.
  assetDir ??= path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  return assetDir;
}

export const docsAsset = defineRoute({
  operationId: 'docsAsset',
  method: 'GET',
  path: '/api/docs/:file',
  tag: 'Meta',
  summary: 'Static files of the docs page',
  auth: { kind: 'none' },
  undocumented: 'static',
  responses: { 200: { description: 'The file' } },
  async handler({ res, params }) {
    const file = params.file;
    let body: Buffer | string;
    let type: string;
    if (file === 'init.js') { body = INIT; type = 'text/javascript; charset=utf-8'; }
    else if (Object.prototype.hasOwnProperty.call(ASSETS, file)) { body = fs.readFileSync(path.join(swaggerUiDir(), file)); type = ASSETS[file]; }
    else throw new NotFound('not_found', `No file "${file.slice(0, 100)}" here`);
    res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'cache-control': 'public, max-age=3600' });
    res.end(body);
  },
});
