import express, { Request, Response } from 'express';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export const router = express.Router();

router.get('/products', async (req: Request, res: Response) => {
  const { rows } = await pool.query('SELECT * FROM products ORDER BY name');
  res.json(rows);
});

router.get('/products/search', async (req: Request, res: Response) => {
  const term = String(req.query.q ?? '');
  const { rows } = await pool.query(
    `SELECT id, name, price_cents FROM products WHERE name ILIKE '%${term}%'`,
  );
  res.json(rows);
});

router.get('/products/:id', async (req: Request, res: Response) => {
  const { rows } = await pool.query('SELECT id, name, price_cents FROM products WHERE id = $1', [
    req.params.id,
  ]);
  res.json(rows[0] ?? null);
});
