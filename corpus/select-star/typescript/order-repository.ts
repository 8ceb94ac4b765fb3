import { Pool, type QueryResultRow } from 'pg';
import { logger } from '../lib/logger';

export interface OrderRow extends QueryResultRow {
  id: string;
  customer_id: string;
  status: 'open' | 'paid' | 'shipped' | 'cancelled';
  total_cents: number;
  created_at: Date;
}

const ORDERS_TABLE = 'orders';

const ORDER_BY_ID = 'SELECT * FROM orders WHERE id = $1'; // snag-expect: select-star

// Shown in the admin "query console" help panel; never executed by this module.
export const CONSOLE_EXAMPLE = 'Try: SELECT * FROM orders LIMIT 10'; // snag-ok: select-star

export class OrderNotFoundError extends Error {
  constructor(public readonly orderId: string) {
    super(`order ${orderId} not found`);
    this.name = 'OrderNotFoundError';
  }
}

export class OrderRepository {
  constructor(private readonly pool: Pool) {}

  async findById(id: string): Promise<OrderRow> {
    const { rows } = await this.pool.query<OrderRow>(ORDER_BY_ID, [id]);
    if (rows.length === 0) {
      throw new OrderNotFoundError(id);
    }
    return rows[0];
  }

  async listForCustomer(customerId: string): Promise<Array<OrderRow & { email: string }>> {
    const result = await this.pool.query(
      'SELECT o.*, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.customer_id = $1 ORDER BY o.created_at DESC', // snag-expect: select-star
      [customerId],
    );
    return result.rows;
  }

  async countForCustomer(customerId: string): Promise<number> {
    const { rows } = await this.pool.query<{ total: number }>(
      'SELECT COUNT(*)::int AS total FROM orders WHERE customer_id = $1', // snag-ok: select-star
      [customerId],
    );
    return rows[0]?.total ?? 0;
  }

  async hasOpenOrders(customerId: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ has_open: boolean }>(
      "SELECT EXISTS (SELECT * FROM orders WHERE customer_id = $1 AND status = 'open') AS has_open", // snag-ok: select-star
      [customerId],
    );
    return Boolean(rows[0]?.has_open);
  }

  async lineTotals(orderId: string): Promise<Array<{ id: string; line_total: number }>> {
    const { rows } = await this.pool.query(
      'SELECT id, quantity * unit_price_cents AS line_total FROM order_items WHERE order_id = $1', // snag-ok: select-star
      [orderId],
    );
    return rows;
  }

  async itemsForOrder(orderId: string) {
    const { rows } = await this.pool.query(
      // snag-ok: select-star
      `-- used to be SELECT * FROM order_items; the blob columns made this slow
       SELECT id, sku, quantity, unit_price_cents
         FROM order_items
        WHERE order_id = $1
        ORDER BY position`,
      [orderId],
    );
    return rows;
  }

  async search(customerId: string, includeArchived: boolean): Promise<OrderRow[]> {
    let sql: string;
    if (includeArchived) {
      sql = 'SELECT * FROM orders_all WHERE customer_id = $1'; // snag-expect: select-star
    } else {
      sql = "SELECT * FROM orders WHERE customer_id = $1 AND status <> 'cancelled'"; // snag-expect: select-star
    }
    const { rows } = await this.pool.query<OrderRow>(sql, [customerId]);
    return rows;
  }

  async recentByStatus(status: OrderRow['status']): Promise<OrderRow[]> {
    const { rows } = await this.pool.query<OrderRow>(
      'SELECT * FROM ' + ORDERS_TABLE + ' WHERE status = $1 ORDER BY created_at DESC LIMIT 50', // snag-expect: select-star
      [status],
    );
    if (rows.length === 50) {
      logger.debug('recentByStatus hit the limit; consider SELECT * FROM orders_archive'); // snag-ok: select-star
    }
    return rows;
  }
}
