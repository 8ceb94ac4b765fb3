import { Pool, type PoolConfig } from 'pg';
import pino from 'pino';

const logger = pino({ name: 'customer-repository' });

export type Customer = {
  id: string;
  email: string;
  name: string;
  tags: string[];
  external_ref: string | null;
};

type Patch = Record<string, string | number | null>;

const CUSTOMER_SELECT = 'SELECT id, email, name, tags, external_ref FROM customers';

export class CustomerRepository {
  private readonly pool: Pool;

  constructor(config: PoolConfig) {
    this.pool = new Pool(config);
  }

  async findByEmail(email: string): Promise<Customer | null> {
    const { rows } = await this.pool.query<Customer>(`SELECT id, email, name, tags, external_ref FROM customers WHERE email = '${email}'`); // snag-expect: sql-injection
    return rows[0] ?? null;
  }

  async findByIds(ids: string[]): Promise<Customer[]> {
    if (ids.length === 0) return [];
    const placeholders = ids.map((_, i) => `$${i + 1}`).join(', ');
    const { rows } = await this.pool.query<Customer>(`${CUSTOMER_SELECT} WHERE id IN (${placeholders})`, ids); // snag-ok: sql-injection
    return rows;
  }

  async findById(id: string): Promise<Customer | null> {
    const { rows } = await this.pool.query<Customer>(CUSTOMER_SELECT.concat(' WHERE id = $1'), [id]); // snag-ok: sql-injection
    if (rows.length === 0) {
      const debugSql = `${CUSTOMER_SELECT} WHERE id = '${id}'`; // snag-ok: sql-injection
      logger.debug({ sql: debugSql }, 'customer not found');
      return null;
    }
    return rows[0];
  }

  async findByExternalRef(ref: string) {
    const { rows } = await this.pool.query(`SELECT * FROM customers WHERE external_ref = '${ref}'`); // snag-expect: select-star, sql-injection
    return rows[0] ?? null;
  }

  async list(limit: string, sort?: string): Promise<Customer[]> {
    if (sort) {
      const { rows } = await this.pool.query<Customer>( // snag-expect: sql-injection
        CUSTOMER_SELECT + ' WHERE deleted_at IS NULL ORDER BY ' + sort + ' LIMIT 100',
      );
      return rows;
    }
    const { rows } = await this.pool.query<Customer>( // snag-ok: sql-injection
      `${CUSTOMER_SELECT} WHERE deleted_at IS NULL ORDER BY created_at DESC LIMIT ${parseInt(limit, 10)}`,
    );
    return rows;
  }

  async withAllTags(tags: string[]): Promise<Customer[]> {
    let sql = `${CUSTOMER_SELECT} WHERE deleted_at IS NULL`;
    for (const tag of tags) {
      sql += ` AND '${tag}' = ANY(tags)`;
    }
    const { rows } = await this.pool.query<Customer>(sql); // snag-expect: sql-injection
    return rows;
  }

  async updateFields(id: string, patch: Patch): Promise<void> {
    const assignments: string[] = [];
    const values: Array<string | number | null> = [];
    for (const [column, value] of Object.entries(patch)) {
      values.push(value);
      assignments.push(`${column} = $${values.length}`);
    }
    if (assignments.length === 0) return;
    values.push(id);
    const result = await this.pool.query( // snag-expect: sql-injection
      `UPDATE customers SET ${assignments.join(', ')}, updated_at = now() WHERE id = $${values.length}`,
      values,
    );
    if (result.rowCount === 0) {
      throw new Error(`customer ${id} not found`);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
