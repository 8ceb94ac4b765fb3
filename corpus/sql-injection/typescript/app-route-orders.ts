// app/api/customers/[customerId]/orders/route.ts
import { NextRequest, NextResponse } from 'next/server';
import { sql } from '@vercel/postgres';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.POSTGRES_URL, max: 5 });

type Ctx = { params: { customerId: string } };

type OrderSummary = { id: string; status: string; total_cents: number; created_at: string };

export async function GET(request: NextRequest, { params }: Ctx) {
  const search = request.nextUrl.searchParams;
  const status = search.get('status') ?? 'open';
  const sort = search.get('sort');

  try {
    if (sort) {
      const dir = search.get('dir') === 'asc' ? 'ASC' : 'DESC';
      const { rows } = await pool.query<OrderSummary>( // snag-expect: sql-injection
        `SELECT id, status, total_cents, created_at FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY ${sort} ${dir}`,
        [params.customerId, status],
      );
      return NextResponse.json(rows);
    }

    const limit = search.get('limit') ?? '25';
    const { rows } = await pool.query<OrderSummary>( // snag-ok: sql-injection
      `SELECT id, status, total_cents, created_at FROM orders WHERE customer_id = $1 AND status = $2 ORDER BY created_at DESC LIMIT ${Number(limit)}`,
      [params.customerId, status],
    );
    return NextResponse.json(rows);
  } catch (err) {
    console.error(`GET orders for ${params.customerId} failed`, err);
    return NextResponse.json({ error: 'failed to load orders' }, { status: 500 });
  }
}

export async function POST(request: NextRequest, { params }: Ctx) {
  const body = (await request.json()) as { action?: string; orderIds?: string[] };
  if (body.action !== 'cancel' || !Array.isArray(body.orderIds) || body.orderIds.length === 0) {
    return NextResponse.json({ error: 'expected { action: "cancel", orderIds: [...] }' }, { status: 400 });
  }
  const ids = body.orderIds;
  const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
  const result = await pool.query( // snag-ok: sql-injection
    `UPDATE orders SET status = 'cancelled', cancelled_at = now() WHERE status = 'open' AND id IN (${placeholders})`,
    ids,
  );

  const { rows: remaining } = await sql`SELECT count(*)::int AS open FROM orders WHERE customer_id = ${params.customerId} AND status = 'open'`; // snag-ok: sql-injection, select-star
  return NextResponse.json({ cancelled: result.rowCount, stillOpen: remaining[0]?.open ?? 0 });
}

export async function PATCH(request: NextRequest, { params }: Ctx) {
  const { orderId, note } = (await request.json()) as { orderId: string; note: string };
  if (!orderId) {
    return NextResponse.json({ error: 'orderId is required' }, { status: 400 });
  }
  const { rowCount } = await pool.query( // snag-expect: sql-injection
    "UPDATE orders SET note = '" + note + "' WHERE id = $1 AND customer_id = $2",
    [orderId, params.customerId],
  );
  if (!rowCount) {
    return NextResponse.json({ error: 'order not found' }, { status: 404 });
  }
  return new NextResponse(null, { status: 204 });
}
