// Catalogue service (Fastify 4 + node-postgres).
//
// Product pages read from Postgres; supplier feeds arrive as JSON and are
// validated against the schemas in ./schemas before they are staged.
// Started by `node catalog-fastify.mjs` in the catalogue container.

import { readFile } from 'node:fs/promises';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import yaml from 'js-yaml';
import pg from 'pg';
import productSchema from './schemas/product.json' with { type: 'json' };

const app = Fastify({ logger: true });
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const ajv = addFormats(new Ajv({ allErrors: true, coerceTypes: true }));
const validateProduct = ajv.compile(productSchema); // snag-ok: missing-cache
const SLUG = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const SCHEMA_DIR = new URL('./schemas/', import.meta.url);
const feedRules = yaml.load(await readFile(new URL('./feed-rules.yml', import.meta.url), 'utf8')); // snag-ok: missing-cache

app.get('/products/:slug', async (request, reply) => {
  if (!SLUG.test(request.params.slug)) {
    return reply.code(400).send({ error: 'bad slug' });
  }
  const { rows } = await pool.query('SELECT id, slug, title, price_cents, category_id FROM products WHERE slug = $1', [request.params.slug]);
  if (rows.length === 0) return reply.code(404).send({ error: 'not found' });
  return rows[0];
});

app.post('/supplier-feeds/:supplier', async (request, reply) => {
  const validateFeed = ajv.compile(JSON.parse(await readFile(new URL('supplier-feed.json', SCHEMA_DIR), 'utf8'))); // snag-expect: missing-cache
  if (!validateFeed(request.body)) {
    return reply.code(422).send({ errors: validateFeed.errors });
  }
  const staged = [];
  const rejected = [];
  for (const item of request.body.items) {
    const rules = yaml.load(await readFile(new URL('./supplier-rules.yml', import.meta.url), 'utf8')); // snag-expect: missing-cache
    const markup = rules.markupBps[request.params.supplier] ?? rules.markupBps.default;
    if (validateProduct(item)) {
      staged.push({ ...item, priceCents: Math.round((item.costCents * (10_000 + markup)) / 10_000) });
    } else {
      rejected.push({ sku: item.sku, errors: validateProduct.errors });
    }
  }
  await pool.query(
    'INSERT INTO staged_products (supplier, payload) SELECT $1, p FROM jsonb_array_elements($2::jsonb) AS p',
    [request.params.supplier, JSON.stringify(staged)],
  );
  return { staged: staged.length, rejected };
});

app.post('/supplier-feeds/:supplier/dry-run', async (request) => {
  const results = request.body.items.map((item) => {
    const skuPattern = new RegExp(feedRules.skuPattern); // snag-expect: missing-cache
    return { sku: item.sku, ok: skuPattern.test(item.sku) && validateProduct(item) };
  });
  return { results };
});

app.get('/categories/:id/children', async (request) => {
  const client = await pool.connect();
  try {
    const { rows: children } = await client.query('SELECT id, slug, name FROM categories WHERE parent_id = $1 ORDER BY position', [request.params.id]); // snag-ok: missing-cache
    const counts = {};
    for (const child of children) {
      // snag-ok: missing-cache
      const { rows } = await client.query('SELECT count(id) AS n FROM products WHERE category_id = $1', [child.id]); // snag-expect: n-plus-one
      counts[child.slug] = Number(rows[0].n);
    }
    return { children, counts };
  } finally {
    client.release();
  }
});

app.put('/products/:id/price', async (request, reply) => {
  const { priceCents } = request.body;
  const client = await pool.connect();
  try {
    const before = await client.query('SELECT price_cents FROM products WHERE id = $1', [request.params.id]); // snag-ok: missing-cache
    await client.query('UPDATE products SET price_cents = $1 WHERE id = $2', [priceCents, request.params.id]);
    const after = await client.query('SELECT price_cents FROM products WHERE id = $1', [request.params.id]); // snag-ok: missing-cache
    return { from: before.rows[0]?.price_cents, to: after.rows[0]?.price_cents };
  } finally {
    client.release();
  }
});

app.get('/schemas/:name', async (request, reply) => {
  const name = String(request.params.name).replace(/[^a-z0-9-]/g, ''); // snag-ok: missing-cache
  const schema = JSON.parse(await readFile(new URL(`${name}.json`, SCHEMA_DIR), 'utf8')); // snag-ok: missing-cache
  return reply.header('Cache-Control', 'public, max-age=3600').send(schema);
});

await app.listen({ host: '0.0.0.0', port: Number(process.env.PORT ?? 3000) });
