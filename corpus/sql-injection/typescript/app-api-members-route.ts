import { Prisma } from '@prisma/client';
import { NextRequest, NextResponse } from 'next/server';

import { requireSession } from '@/lib/auth';
import { prisma } from '@/lib/prisma';

type Member = { id: string; email: string; name: string; role: string; last_seen_at: Date | null };

async function membersMatching(workspaceId: string, term: string): Promise<Member[]> {
  const pattern = `%${term.toLowerCase()}%`;
  const sql =
    'SELECT id, email, name, role, last_seen_at FROM members ' +
    `WHERE workspace_id = '${workspaceId}' AND (lower(email) LIKE '${pattern}' OR lower(name) LIKE '${pattern}')`;
  return prisma.$queryRawUnsafe<Member[]>(sql); // snag-expect: sql-injection
}

async function membersWithRole(workspaceId: string, role: string): Promise<Member[]> {
  return prisma.$queryRaw<Member[]>( // snag-ok: sql-injection
    Prisma.sql`SELECT id, email, name, role, last_seen_at FROM members WHERE workspace_id = ${workspaceId} AND role = ${role}`,
  );
}

async function inactiveMembers(workspaceId: string, days: number): Promise<Member[]> {
  return prisma.$queryRawUnsafe<Member[]>( // snag-ok: sql-injection
    `SELECT id, email, name, role, last_seen_at FROM members WHERE workspace_id = $1 AND last_seen_at < now() - make_interval(days => $2)`,
    workspaceId,
    days,
  );
}

function orderClause(sort: string | null): string {
  switch (sort) {
    case 'email':
      return 'ORDER BY email ASC';
    case 'seen':
      return 'ORDER BY last_seen_at DESC NULLS LAST';
    default:
      return 'ORDER BY name ASC';
  }
}

function filterClause(role: string | null): string {
  return role ? `AND role = '${role}'` : '';
}

export async function GET(req: NextRequest) {
  const session = await requireSession();
  const params = req.nextUrl.searchParams;
  const workspaceId = session.workspaceId;

  const q = params.get('q');
  if (q) {
    return NextResponse.json(await membersMatching(workspaceId, q));
  }

  const role = params.get('role');
  if (params.get('exact') === '1' && role) {
    return NextResponse.json(await membersWithRole(workspaceId, role));
  }

  const inactiveDays = params.get('inactive_days');
  if (inactiveDays) {
    return NextResponse.json(await inactiveMembers(workspaceId, parseInt(inactiveDays, 10)));
  }

  if (params.get('format') === 'csv') {
    const rows = await prisma.$queryRawUnsafe<Member[]>( // snag-ok: sql-injection
      `SELECT id, email, name, role, last_seen_at FROM members WHERE workspace_id = $1 ${orderClause(params.get('sort'))}`,
      workspaceId,
    );
    const csv = ['email,name,role', ...rows.map((m) => `${m.email},${m.name},${m.role}`)].join('\n');
    return new NextResponse(csv, { headers: { 'Content-Type': 'text/csv' } });
  }

  const sql = `SELECT id, email, name, role, last_seen_at FROM members WHERE workspace_id = $1 ${filterClause(role)} ${orderClause(params.get('sort'))}`;
  const members = await prisma.$queryRawUnsafe<Member[]>(sql, workspaceId); // snag-expect: sql-injection
  return NextResponse.json(members);
}

export async function PATCH(req: NextRequest) {
  const session = await requireSession();
  const body = (await req.json()) as { memberId: string; role: string; title?: string };
  let assignments = 'role = $1';
  const values: unknown[] = [body.role];
  if (body.title !== undefined) {
    values.push(body.title);
    assignments += `, title = $${values.length}`;
  }
  values.push(body.memberId, session.workspaceId);
  const sql = `UPDATE members SET ${assignments} WHERE id = $${values.length - 1} AND workspace_id = $${values.length}`;
  await prisma.$executeRawUnsafe(sql, ...values); // snag-ok: sql-injection
  return new NextResponse(null, { status: 204 });
}

export async function DELETE(req: NextRequest) {
  const session = await requireSession();
  let memberId = req.nextUrl.searchParams.get('id') ?? '';
  memberId = memberId.trim();
  const reason = req.nextUrl.searchParams.get('reason') ?? 'removed by admin';
  const statement = "UPDATE members SET removed_at = now(), removed_reason = '" + reason + "' WHERE id = $1 AND workspace_id = $2";
  await prisma.$executeRawUnsafe(statement, memberId, session.workspaceId); // snag-expect: sql-injection
  return new NextResponse(null, { status: 204 });
}
