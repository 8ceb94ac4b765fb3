import mysql from 'mysql2/promise';

export const pool = mysql.createPool({
  uri: process.env.MYSQL_URL,
  connectionLimit: 10,
  namedPlaceholders: true,
});

const CATEGORY_TABLE = 'categories';

export class CatalogError extends Error {
  constructor(message, { cause } = {}) {
    super(message, { cause });
    this.name = 'CatalogError';
  }
}

export async function getCategoryTree(rootId) {
  try {
    const [rows] = await pool.execute(`SELECT * FROM ${CATEGORY_TABLE} WHERE root_id = ? ORDER BY lft`, [rootId]); // snag-expect: select-star
    return rows;
  } catch (err) {
    throw new CatalogError(`could not load category tree ${rootId}`, { cause: err });
  }
}

export async function searchProducts(term) {
  const [rows] = await pool.execute( // snag-ok: sql-injection
    'SELECT id, name, MATCH(name, description) AGAINST (? IN BOOLEAN MODE) AS score FROM products WHERE MATCH(name, description) AGAINST (? IN BOOLEAN MODE) ORDER BY score DESC LIMIT 25',
    [`${term}*`, `${term}*`], // snag-ok: select-star
  );
  return rows;
}

export async function countInCategory(categoryId) {
  const [rows] = await pool.execute(
    'SELECT COUNT(*) AS total FROM products WHERE category_id = ? AND deleted_at IS NULL', // snag-ok: select-star
    [categoryId],
  );
  return rows[0].total;
}

export async function categoryIsEmpty(categoryId) {
  const [rows] = await pool.execute(
    'SELECT NOT EXISTS (SELECT * FROM products WHERE category_id = ?) AS empty', // snag-ok: select-star
    [categoryId],
  );
  return Boolean(rows[0].empty);
}

export async function priceHistory(productId, { limit = 100 } = {}) {
  const [rows] = await pool.query(
    // snag-expect: select-star
    `SELECT ph.*
       FROM price_history ph
      WHERE ph.product_id = ?
      ORDER BY ph.changed_at DESC
      LIMIT ?`,
    [productId, limit],
  );
  return rows;
}

export async function activePromotions(now = new Date()) {
  const [rows] = await pool.execute(
    'SELECT * FROM promotions WHERE starts_at <= :now AND ends_at > :now', // snag-expect: select-star
    { now },
  );
  return rows;
}
