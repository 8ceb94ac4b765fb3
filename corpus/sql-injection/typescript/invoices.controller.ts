import { BadRequestException, Controller, Get, Param, Post, Body, Query, Req } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request } from 'express';
import { DataSource } from 'typeorm';

const INVOICE_COLUMNS = 'i.id, i.number, i.status, i.total_cents, i.due_on, a.name AS account_name';
const INVOICE_FROM = 'FROM invoices i JOIN accounts a ON a.id = i.account_id';

const SORTS: Record<string, string> = {
  due: 'i.due_on ASC',
  total: 'i.total_cents DESC',
  number: 'i.number ASC',
};

interface BulkStatusBody {
  ids: string[];
  status: string;
}

@Controller('invoices')
export class InvoicesController {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  @Get()
  async list(@Query('status') status?: string, @Query('account') account?: string) {
    let sql = `SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM} WHERE i.deleted_at IS NULL`;
    if (status) {
      sql += ` AND i.status = '${status}'`;
    }
    if (account) {
      sql += " AND a.name ILIKE '%" + account + "%'";
    }
    sql += ' ORDER BY i.due_on LIMIT 100';
    return this.db.query(sql); // snag-expect: sql-injection
  }

  @Get('sorted')
  async sorted(@Query('sort') sort = 'due') {
    const orderBy = SORTS[sort] ?? SORTS.due;
    return this.db.query(`SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM} ORDER BY ${orderBy} LIMIT 100`); // snag-ok: sql-injection
  }

  @Get('sorted-raw')
  async sortedRaw(@Query('sort') sort?: string, @Query('dir') dir?: string) {
    let orderBy: string;
    if (sort) {
      orderBy = `i.${sort} ${dir === 'desc' ? 'DESC' : 'ASC'}`;
    } else {
      orderBy = 'i.due_on ASC';
    }
    return this.db.query(`SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM} ORDER BY ${orderBy} LIMIT 100`); // snag-expect: sql-injection
  }

  @Get('page')
  async page(@Query('page') page = '1', @Query('size') size = '25') {
    const pageNumber = Math.max(parseInt(page, 10) || 1, 1);
    const pageSize = Math.min(Number.parseInt(size, 10) || 25, 100);
    const offset = (pageNumber - 1) * pageSize;
    let sql = `SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM}`;
    sql += ` ORDER BY i.id LIMIT ${pageSize} OFFSET ${offset}`;
    return this.db.query(sql); // snag-ok: sql-injection
  }

  @Get('search')
  async search(@Query() query: Record<string, string | undefined>) {
    const filters: string[] = [];
    const params: string[] = [];
    for (const key of ['number', 'status', 'currency'] as const) {
      const value = query[key];
      if (value) {
        params.push(value);
        filters.push(`i.${key} = $${params.length}`);
      }
    }
    const where = filters.length ? `WHERE ${filters.join(' AND ')}` : '';
    return this.db.query(`SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM} ${where} LIMIT 100`, params); // snag-ok: sql-injection
  }

  @Get('overdue')
  async overdue(@Query('tags') tags?: string) {
    const tagList = (tags ?? '').split(',').filter(Boolean);
    const tagConditions = tagList.map((tag) => `'${tag.trim()}' = ANY(i.tags)`);
    const sql = [`SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM} WHERE i.due_on < now()`, ...tagConditions].join(' AND ');
    return this.db.query(sql); // snag-expect: sql-injection
  }

  @Get('summary')
  async summary(@Req() req: Request) {
    let scope = String(req.query.scope ?? 'mine');
    if (req.user?.roles.includes('finance')) {
      scope = 'TRUE';
    } else {
      scope = 'i.owner_id = $1';
    }
    return this.db.query( // snag-ok: sql-injection
      `SELECT i.status, count(*)::int AS n, sum(i.total_cents) AS cents FROM invoices i WHERE ${scope} GROUP BY i.status`,
      scope === 'TRUE' ? [] : [req.user!.id],
    );
  }

  @Get('export')
  async export(@Query('include_void') includeVoid?: string, @Query('year') year?: string) {
    let sql = `SELECT ${INVOICE_COLUMNS} ${INVOICE_FROM} WHERE i.status <> 'draft'`;
    if (!includeVoid) {
      sql += " AND i.status <> 'void'";
    }
    if (year && /^\d{4}$/.test(year)) {
      sql += ` AND extract(year FROM i.issued_on) = ${Number(year)}`;
    }
    return this.db.query(sql); // snag-ok: sql-injection
  }

  @Get(':id/lines')
  async lines(@Param('id') id: string, @Query('kind') kind?: string) {
    const base = 'SELECT l.id, l.sku, l.quantity, l.unit_cents FROM invoice_lines l WHERE l.invoice_id = $1';
    const kindFilter = kind ? ` AND l.kind = '${kind}'` : '';
    const sql = base.concat(kindFilter, ' ORDER BY l.position');
    return this.db.query(sql, [id]); // snag-expect: sql-injection
  }

  @Post('bulk-status')
  async bulkStatus(@Body() body: BulkStatusBody) {
    if (!Array.isArray(body.ids) || body.ids.length === 0) {
      throw new BadRequestException('ids must be a non-empty array');
    }
    const placeholders = body.ids.map((_, index) => `$${index + 2}`).join(', ');
    const note = `bulk status ${body.status} for ${body.ids.join(',')}`;
    console.info(note);
    return this.db.query(`UPDATE invoices SET status = $1 WHERE id IN (${placeholders})`, [body.status, ...body.ids]); // snag-ok: sql-injection
  }
}
