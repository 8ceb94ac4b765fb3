// app/api/search/route.ts
//
// Storefront header search. Strips the merchandisers' stop words, asks
// Meilisearch for hits and adds the featured categories from Postgres.
// POST stores a saved search for the signed-in shopper.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import Ajv from 'ajv';
import { unstable_cache } from 'next/cache';
import { NextRequest, NextResponse } from 'next/server';
import { sql } from '@vercel/postgres';
import { auth } from '@/lib/auth';
import facetSchema from '@/schemas/facet-filter.json';

export const runtime = 'nodejs';

const ajv = new Ajv({ allErrors: true, removeAdditional: true });
const validateFacets = ajv.compile(facetSchema); // snag-ok: missing-cache
const STOP_WORDS = ['the', 'a', 'an', 'and', 'for', 'with', 'of', 'by'];
const MEILI_URL = process.env.MEILI_URL ?? 'http://meili.internal:7700';
const MEILI_HEADERS = {
  Authorization: `Bearer ${process.env.MEILI_SEARCH_KEY}`,
  'Content-Type': 'application/json',
};

const featuredCategories = unstable_cache(
  async () => (await sql`SELECT slug, name FROM categories WHERE featured ORDER BY rank LIMIT 8`).rows, // snag-ok: missing-cache
  ['search-featured-categories'],
  { revalidate: 300 },
);

export async function GET(req: NextRequest) {
  const q = req.nextUrl.searchParams.get('q') ?? '';
  const facets = JSON.parse(req.nextUrl.searchParams.get('facets') ?? '{}');
  if (!validateFacets(facets)) {
    return NextResponse.json({ errors: validateFacets.errors }, { status: 400 });
  }
  const stopWords = new RegExp(`\\b(${STOP_WORDS.join('|')})\\b`, 'gi'); // snag-expect: missing-cache
  const terms = q.replace(stopWords, ' ').replace(/\s+/g, ' ').trim(); // snag-ok: missing-cache
  const filter = Object.entries(facets).map(([key, value]) => `${key} = "${String(value).replace(/"/g, '')}"`); // snag-ok: missing-cache
  const res = await fetch(`${MEILI_URL}/indexes/products/search`, {
    method: 'POST',
    headers: MEILI_HEADERS,
    body: JSON.stringify({ q: terms, filter, limit: 20 }),
  });
  const { hits } = await res.json();
  return NextResponse.json({ hits, categories: await featuredCategories() });
}

export async function POST(req: NextRequest) {
  const session = await auth();
  if (!session?.user) {
    return NextResponse.json({ error: 'sign in to save searches' }, { status: 401 });
  }
  const body = await req.json();
  const validate = new Ajv().compile(JSON.parse(await readFile(path.join(process.cwd(), 'schemas', 'saved-search.json'), 'utf8'))); // snag-expect: missing-cache
  if (!validate(body)) {
    return NextResponse.json({ errors: validate.errors }, { status: 400 });
  }
  const { rows: existing } = await sql`SELECT count(id) AS n FROM saved_searches WHERE user_id = ${session.user.id}`; // snag-ok: missing-cache
  if (Number(existing[0].n) >= 25) {
    return NextResponse.json({ error: 'you can keep at most 25 saved searches' }, { status: 409 });
  }
  await sql`INSERT INTO saved_searches (user_id, query, facets) VALUES (${session.user.id}, ${body.query}, ${JSON.stringify(body.facets)})`;
  const { rows: total } = await sql`SELECT count(id) AS n FROM saved_searches WHERE user_id = ${session.user.id}`; // snag-ok: missing-cache
  return NextResponse.json({ saved: true, count: Number(total[0].n) }, { status: 201 });
}

export async function DELETE(req: NextRequest) {
  const session = await auth();
  if (!session?.user) {
    return NextResponse.json({ error: 'sign in first' }, { status: 401 });
  }
  const id = req.nextUrl.searchParams.get('id');
  const { rows } = await sql`SELECT id, user_id, query FROM saved_searches WHERE id = ${id}`; // snag-ok: missing-cache
  if (rows.length === 0 || rows[0].user_id !== session.user.id) {
    return NextResponse.json({ error: 'not found' }, { status: 404 });
  }
  const { rows: [saved] } = await sql`SELECT id, user_id, query FROM saved_searches WHERE id = ${id}`; // snag-expect: missing-cache
  await sql`DELETE FROM saved_searches WHERE id = ${saved.id}`;
  return NextResponse.json({ deleted: saved.id, undo: { query: saved.query } });
}
