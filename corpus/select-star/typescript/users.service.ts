import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { User } from './user.entity';

export type UserExportFormat = 'csv' | 'json';

const USER_COLUMNS = 'u.id, u.email, u.display_name, u.created_at';

@Injectable()
export class UsersService {
  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async listForTenant(tenantId: string): Promise<User[]> {
    return this.dataSource.query('SELECT * FROM users WHERE tenant_id = $1 AND deleted_at IS NULL', [tenantId]); // snag-expect: select-star
  }

  async findWithProfile(userId: string) {
    const rows = await this.users.query(
      // snag-expect: select-star
      `SELECT u.*, p.avatar_url, p.bio
         FROM users u
         LEFT JOIN profiles p ON p.user_id = u.id
        WHERE u.id = $1`,
      [userId],
    );
    if (!rows.length) {
      throw new NotFoundException(`user ${userId} not found`);
    }
    return rows[0];
  }

  async findByEmail(email: string): Promise<User | null> {
    // Plain repository call: TypeORM lists the entity's columns itself.
    return this.users.findOne({ where: { email } });
  }

  async activeSeats(tenantId: string): Promise<number> {
    const [row] = await this.dataSource.query(
      'SELECT count(*) AS n FROM users WHERE tenant_id = $1 AND deactivated_at IS NULL', // snag-ok: select-star
      [tenantId],
    );
    return Number(row?.n ?? 0);
  }

  async orphanedUsers(): Promise<Array<{ id: string; email: string }>> {
    return this.dataSource.query(
      // snag-ok: select-star
      `SELECT ${USER_COLUMNS}
         FROM users u
        WHERE NOT EXISTS (SELECT * FROM memberships m WHERE m.user_id = u.id)`,
    );
  }

  async exportRows(tenantId: string, format: UserExportFormat, fields?: string[]) {
    if (!fields || fields.length === 0) {
      throw new BadRequestException('SELECT * exports are disabled; pass ?fields=id,email'); // snag-ok: select-star
    }
    const sql = ['SELECT *', 'FROM user_export_view', 'WHERE tenant_id = $1', 'ORDER BY created_at'].join(' '); // snag-expect: select-star
    const rows: Array<Record<string, unknown>> = await this.dataSource.query(sql, [tenantId]);
    const wanted = new Set(fields);
    const projected = rows.map((r) =>
      Object.fromEntries(Object.entries(r).filter(([k]) => wanted.has(k))),
    );
    return format === 'json' ? JSON.stringify(projected) : projected;
  }
}
