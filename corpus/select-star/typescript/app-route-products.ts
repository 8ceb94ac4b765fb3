// app/api/products/route.ts
import { NextRequest, NextResponse } from 'next/server';
import { sql } from '@vercel/postgres';
import { prisma } from '@/lib/prisma';
import { z } from 'zod';

export const dynamic = 'force-dynamic';

type ProductRow = {
  id: string;
  name: string;
  category: string;
  price_cents: number;
  published: boolean;
};

const featuredQuery = z.object({
  slot: z.coerce.number().int().min(1).max(12),
  currency: z.enum(['EUR', 'USD', 'GBP']).default('EUR'),
});

export async function GET(request: NextRequest) {
  const category = request.nextUrl.searchParams.get('category');
  if (!category) {
    return NextResponse.json({ error: 'category is required' }, { status: 400 });
  }

  try {
    const { rows } = await sql`SELECT * FROM products WHERE category = ${category} AND published = true`; // snag-expect: select-star
    const { rows: totals } = await sql`SELECT count(*)::int AS total FROM products WHERE category = ${category}`; // snag-ok: select-star
    return NextResponse.json({ items: rows as ProductRow[], total: Number(totals[0]?.total ?? 0) });
  } catch (err) {
    console.error('GET /api/products failed while running SELECT * FROM products', err); // snag-ok: select-star
    return NextResponse.json({ error: 'internal error' }, { status: 500 });
  }
}

export async function POST(request: NextRequest) {
  const parsed = featuredQuery.safeParse(await request.json().catch(() => ({})));
  if (!parsed.success) {
    return NextResponse.json({ error: parsed.error.flatten() }, { status: 422 });
  }
  const { slot, currency } = parsed.data;

  const rate = await prisma.exchangeRate.findUnique({ where: { currency } });
  if (!rate) {
    return NextResponse.json({ error: `no rate for ${currency}` }, { status: 404 });
  }

  const featured: ProductRow[] = await prisma.$queryRaw`SELECT p.* FROM products p JOIN featured_slots f ON f.product_id = p.id WHERE f.slot = ${slot}`; // snag-expect: select-star
  const converted: Array<{ id: string; price: number }> = await prisma.$queryRaw`SELECT id, price_cents * ${rate.factor} AS price FROM products WHERE id IN (SELECT product_id FROM featured_slots WHERE slot = ${slot})`; // snag-ok: select-star, sql-injection

  const prices = new Map(converted.map((c) => [c.id, c.price]));
  return NextResponse.json(
    featured.map((p) => ({ ...p, price: prices.get(p.id) ?? null, currency })),
  );
}
