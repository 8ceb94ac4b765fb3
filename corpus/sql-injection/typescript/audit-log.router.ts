import { Router, type Request, type Response, type NextFunction } from 'express';
import knexFactory from 'knex';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const knex = knexFactory({ client: 'pg', connection: process.env.DATABASE_URL });

const AUDIT_COLUMNS = 'id, actor, action, target_type, target_id, created_at';

export const auditRouter = Router();

async function eventsByActor(actor: string, limit: number) {
  const sql = `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE actor = '${actor}' ORDER BY created_at DESC LIMIT ${limit}`;
  const { rows } = await pool.query(sql); // snag-expect: sql-injection
  return rows;
}

async function eventsForTarget(targetType: string, targetId: string) {
  const { rows } = await pool.query( // snag-ok: sql-injection
    `SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE target_type = $1 AND target_id = $2 ORDER BY created_at DESC`,
    [targetType, targetId],
  );
  return rows;
}

function rangeClause(from?: string, to?: string): string {
  const parts: string[] = [];
  if (from) parts.push(`created_at >= '${from}'`);
  if (to) parts.push(`created_at < '${to}'`);
  return parts.length ? parts.join(' AND ') : 'TRUE';
}

auditRouter.get('/audit/actors/:actor', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const limit = Number.parseInt(String(req.query.limit ?? '50'), 10) || 50;
    res.json(await eventsByActor(req.params.actor, limit));
  } catch (err) {
    next(err);
  }
});

auditRouter.get('/audit/targets/:type/:id', async (req: Request, res: Response, next: NextFunction) => {
  try {
    res.json(await eventsForTarget(req.params.type, req.params.id));
  } catch (err) {
    next(err);
  }
});

auditRouter.get('/audit', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const where = rangeClause(req.query.from as string | undefined, req.query.to as string | undefined);
    const table = req.query.archived === 'true' ? 'audit_log_archive' : 'audit_log';
    const { rows } = await pool.query(`SELECT ${AUDIT_COLUMNS} FROM ${table} WHERE ${where} ORDER BY created_at DESC LIMIT 500`); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

auditRouter.get('/audit/recent', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const table = req.query.archived === 'true' ? 'audit_log_archive' : 'audit_log';
    const days = Math.min(Number.parseInt(String(req.query.days ?? '7'), 10) || 7, 90);
    const { rows } = await pool.query( // snag-ok: sql-injection
      `SELECT ${AUDIT_COLUMNS} FROM ${table} WHERE created_at > now() - interval '${days} days' ORDER BY created_at DESC LIMIT 500`,
    );
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

auditRouter.get('/audit/actions', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const action = String(req.query.action ?? '');
    const condition = 'action = ' + "'" + action + "'";
    const rows = await knex('audit_log').select('id', 'actor', 'created_at').whereRaw(condition).limit(200); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

auditRouter.get('/audit/filter', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const { actor, action, target } = req.query as Record<string, string | undefined>;
    const filters = { actor, action, target_type: target };
    const where = Object.entries(filters)
      .filter(([, value]) => Boolean(value))
      .map(([column, value]) => `${column} = '${value}'`)
      .join(' AND ');
    const { rows } = await pool.query(`SELECT ${AUDIT_COLUMNS} FROM audit_log WHERE ${where || 'TRUE'} LIMIT 200`); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

auditRouter.get('/audit/actions/bound', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const action = String(req.query.action ?? '');
    const rows = await knex('audit_log').select('id', 'actor', 'created_at').whereRaw('action = ?', [action]).limit(200); // snag-ok: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});
