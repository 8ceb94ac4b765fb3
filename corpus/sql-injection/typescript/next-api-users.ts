// pages/api/admin/users.ts
import type { NextApiRequest, NextApiResponse } from 'next';
import { Prisma, PrismaClient } from '@prisma/client';
import { getServerSession } from 'next-auth/next';
import { authOptions } from '../auth/[...nextauth]';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
const prisma = globalForPrisma.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;

type UserRow = { id: string; email: string; name: string | null; role: string };

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  const session = await getServerSession(req, res, authOptions);
  if (!session || session.user?.role !== 'admin') {
    return res.status(403).json({ error: 'forbidden' });
  }

  try {
    switch (req.method) {
      case 'GET': {
        const email = first(req.query.email);
        if (email) {
          const byEmail: UserRow[] = await prisma.$queryRaw`SELECT id, email, name, role FROM "User" WHERE email = ${email}`; // snag-ok: sql-injection
          return res.status(200).json(byEmail);
        }
        const q = first(req.query.q) ?? '';
        const sort = first(req.query.sort) ?? 'email';
        const users = await prisma.$queryRawUnsafe<UserRow[]>( // snag-expect: sql-injection
          `SELECT id, email, name, role FROM "User" WHERE name ILIKE '%${q}%' ORDER BY ${sort} LIMIT 50`,
        );
        return res.status(200).json(users);
      }

      case 'POST': {
        const { email } = req.body as { email?: string };
        if (!email) return res.status(400).json({ error: 'email is required' });
        const existing = await prisma.$queryRawUnsafe<UserRow[]>('SELECT id, email, name, role FROM "User" WHERE lower(email) = lower($1)', email); // snag-ok: sql-injection
        if (existing.length) return res.status(409).json({ error: 'already exists' });
        const created = await prisma.user.create({ data: { email, role: 'member' } });
        return res.status(201).json(created);
      }

      case 'PATCH': {
        const { id, role } = req.body as { id: string; role: string };
        const updated = await prisma.$executeRawUnsafe(`UPDATE "User" SET role = '${role}' WHERE id = '${id}'`); // snag-expect: sql-injection
        if (updated === 0) return res.status(404).json({ error: 'user not found' });
        return res.status(204).end();
      }

      case 'DELETE': {
        const ids = ([] as string[]).concat(req.query.id ?? []);
        if (ids.length === 0) return res.status(400).json({ error: 'id is required' });
        await prisma.$executeRaw`DELETE FROM "Session" WHERE "userId" IN (${Prisma.join(ids)})`; // snag-ok: sql-injection
        const removed = await prisma.$executeRawUnsafe('DELETE FROM "User" WHERE id = ' + req.query.id); // snag-expect: sql-injection
        return res.status(200).json({ removed });
      }

      default:
        res.setHeader('Allow', 'GET, POST, PATCH, DELETE');
        return res.status(405).end();
    }
  } catch (err) {
    if (err instanceof Prisma.PrismaClientKnownRequestError) {
      return res.status(400).json({ error: err.code });
    }
    console.error('admin users api failed', err);
    return res.status(500).json({ error: 'internal error' });
  }
}
