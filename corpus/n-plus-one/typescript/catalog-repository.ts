import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import knexFactory, { Knex } from 'knex';

export const db: Knex = knexFactory({
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: { min: 2, max: 10 },
});

export interface PriceUpdate {
  sku: string;
  priceCents: number;
}

export interface ProductInput {
  sku: string;
  name: string;
  priceCents: number;
  categoryId: number;
}

const UPSERT_CHUNK = 1_000;

export async function applyPriceUpdates(updates: PriceUpdate[]): Promise<number> {
  let changed = 0;
  for (const u of updates) {
    changed += await db('products') // snag-expect: n-plus-one
      .where({ sku: u.sku })
      .update({ price_cents: u.priceCents, updated_at: db.fn.now() });
  }
  return changed;
}

export async function upsertProducts(rows: ProductInput[]): Promise<void> {
  const records = rows.map((r) => ({ // snag-ok: n-plus-one
    sku: r.sku.trim().toUpperCase(),
    name: r.name.trim(),
    price_cents: r.priceCents,
    category_id: r.categoryId,
  }));
  for (let i = 0; i < records.length; i += UPSERT_CHUNK) {
    await db('products') // snag-ok: n-plus-one
      .insert(records.slice(i, i + UPSERT_CHUNK))
      .onConflict('sku')
      .merge(['name', 'price_cents', 'category_id']);
  }
}

export async function stockBySku(skus: string[]): Promise<Record<string, number>> {
  const rows: Array<{ sku: string; on_hand: number }> = await db('inventory') // snag-ok: n-plus-one
    .whereIn('sku', skus)
    .select('sku', 'on_hand');
  return rows.reduce<Record<string, number>>((acc, r) => { // snag-ok: n-plus-one
    acc[r.sku] = (acc[r.sku] ?? 0) + r.on_hand;
    return acc;
  }, {});
}

export async function categoryTotals(categoryIds: number[]): Promise<Record<number, number>> {
  return categoryIds.reduce(async (accP, categoryId) => {
    const acc = await accP;
    const row = await db('products').where({ category_id: categoryId }).sum({ total: 'price_cents' }).first(); // snag-expect: n-plus-one
    acc[categoryId] = Number(row?.total ?? 0);
    return acc;
  }, Promise.resolve({} as Record<number, number>));
}

export async function saveCategoryCounts(counts: Record<string, number>): Promise<void> {
  for (const slug in counts) {
    await db('categories').where({ slug }).update({ product_count: counts[slug] }); // snag-expect: n-plus-one
  }
}

export async function statusCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const status of ['draft', 'active', 'archived'] as const) {
    const row = await db('products').where({ status }).count({ n: 'id' }).first(); // snag-ok: n-plus-one
    out[status] = Number(row?.n ?? 0);
  }
  return out;
}

export async function* productIdPages(pageSize = 1_000): AsyncGenerator<number[]> {
  let lastId = 0;
  while (true) {
    const ids: number[] = await db('products').where('id', '>', lastId).orderBy('id').limit(pageSize).pluck('id'); // snag-ok: n-plus-one
    if (ids.length === 0) return;
    yield ids;
    lastId = ids[ids.length - 1];
  }
}

export async function markAllForReindex(): Promise<void> {
  for await (const ids of productIdPages()) {
    await db('products').whereIn('id', ids).update({ reindex_requested_at: db.fn.now() }); // snag-ok: n-plus-one
  }
}

export async function importSupplierCsv(path: string, supplierId: number): Promise<number> {
  const parser = createReadStream(path).pipe(parse({ columns: true, trim: true }));
  let imported = 0;
  for await (const record of parser) {
    await db('supplier_items').insert({ // snag-expect: n-plus-one
      supplier_id: supplierId,
      supplier_sku: record.sku,
      cost_cents: Math.round(Number(record.cost) * 100),
    });
    imported++;
  }
  return imported;
}

export async function importSupplierCsvBatched(path: string, supplierId: number): Promise<number> {
  const parser = createReadStream(path).pipe(parse({ columns: true, trim: true }));
  const rows: Array<{ supplier_id: number; supplier_sku: string; cost_cents: number }> = [];
  for await (const record of parser) {
    rows.push({ supplier_id: supplierId, supplier_sku: record.sku, cost_cents: Math.round(Number(record.cost) * 100) }); // snag-ok: n-plus-one
  }
  await db.batchInsert('supplier_items', rows, UPSERT_CHUNK); // snag-ok: n-plus-one
  return rows.length;
}
