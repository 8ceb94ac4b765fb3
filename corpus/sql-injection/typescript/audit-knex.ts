import knexFactory, { Knex } from 'knex';

export interface AuditEntry {
  id: number;
  tenant_id: number;
  actor: string;
  action: string;
  created_at: Date;
}

export interface AuditQuery {
  tenantId: string;
  actor?: string;
  days?: string;
  orderBy?: string;
  limit?: string;
}

const AUDIT_TABLE = 'audit_log';

export class AuditLogService {
  private readonly knex: Knex;

  constructor(connectionString: string) {
    this.knex = knexFactory({ client: 'pg', connection: connectionString, pool: { min: 1, max: 8 } });
  }

  async byActor(actor: string): Promise<AuditEntry[]> {
    const result = await this.knex.raw(`SELECT id, tenant_id, actor, action, created_at FROM audit_log WHERE actor = '${actor}' ORDER BY created_at DESC`); // snag-expect: sql-injection
    return result.rows;
  }

  async byActorSafe(actor: string): Promise<AuditEntry[]> {
    const result = await this.knex.raw('SELECT id, tenant_id, actor, action, created_at FROM audit_log WHERE actor = ? ORDER BY created_at DESC', [actor]); // snag-ok: sql-injection
    return result.rows;
  }

  async recent(q: AuditQuery): Promise<AuditEntry[]> {
    const rows = await this.knex(AUDIT_TABLE).select('id', 'actor', 'action', 'created_at').whereRaw(`created_at > now() - interval '${q.days ?? '7'} days'`); // snag-expect: sql-injection
    return rows;
  }

  async recentSafe(tenantId: number, days: number): Promise<AuditEntry[]> {
    // snag-ok: sql-injection
    return this.knex<AuditEntry>(AUDIT_TABLE)
      .select('id', 'actor', 'action', 'created_at')
      .where('tenant_id', tenantId)
      .whereRaw("created_at > now() - (? * interval '1 day')", [days])
      .orderBy('created_at', 'desc');
  }

  async sorted(q: AuditQuery): Promise<AuditEntry[]> {
    return this.knex<AuditEntry>(AUDIT_TABLE).select('id', 'actor', 'action').orderByRaw(`${q.orderBy} NULLS LAST`); // snag-expect: sql-injection
  }

  async forActions(tenantId: number, actions: string[]): Promise<AuditEntry[]> {
    if (actions.length === 0) return [];
    const result = await this.knex.raw( // snag-ok: sql-injection
      `SELECT id, actor, action, created_at FROM ${AUDIT_TABLE} WHERE tenant_id = ? AND action IN (${actions.map(() => '?').join(',')})`,
      [tenantId, ...actions],
    );
    return result.rows;
  }

  async page(q: AuditQuery): Promise<AuditEntry[]> {
    const result = await this.knex.raw( // snag-ok: sql-injection
      `SELECT id, actor, action, created_at FROM ${AUDIT_TABLE} WHERE tenant_id = ? ORDER BY id DESC LIMIT ${parseInt(q.limit ?? '50', 10)}`,
      [q.tenantId],
    );
    return result.rows;
  }

  async forTenant(q: AuditQuery): Promise<AuditEntry[]> {
    const sql = ['SELECT id, actor, action, created_at', 'FROM audit_log', `WHERE tenant_id = ${q.tenantId}`, 'ORDER BY id DESC'].join(' ');
    const result = await this.knex.raw(sql); // snag-expect: sql-injection
    return result.rows;
  }

  async destroy(): Promise<void> {
    await this.knex.destroy();
  }
}
