// app/api/projects/[projectId]/route.ts
//
// Project detail, settings and view counters for the dashboard. Reads through
// Prisma; view counters and the "recently viewed" list live in Redis.
import { NextRequest, NextResponse } from 'next/server';
import { PrismaClient } from '@prisma/client';
import { createClient } from 'redis';
import { getServerSession } from 'next-auth';
import { authOptions } from '@/lib/auth';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

// One client per server process; survives hot reloads in development.
const prisma = globalForPrisma.prisma ?? new PrismaClient({ log: ['warn', 'error'] }); // snag-ok: missing-pool
if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;

const counters = createClient({ url: process.env.REDIS_URL }); // snag-ok: missing-pool
const countersReady = counters.connect();

type Params = { params: { projectId: string } };

async function requireUser() {
  const session = await getServerSession(authOptions);
  if (!session?.user?.email) return null;
  return session.user;
}

async function projectOwnerEmail(projectId: string): Promise<string | null> {
  const db = new PrismaClient(); // snag-expect: missing-pool
  try {
    const project = await db.project.findUnique({ where: { id: projectId }, select: { owner: { select: { email: true } } } });
    return project?.owner.email ?? null;
  } finally {
    await db.$disconnect();
  }
}

export async function GET(_req: NextRequest, { params }: Params) {
  const user = await requireUser();
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });

  const client = new PrismaClient(); // snag-expect: missing-pool
  const project = await client.project.findFirst({
    where: { id: params.projectId, members: { some: { email: user.email! } } },
    select: { id: true, name: true, createdAt: true, plan: true },
  });
  await client.$disconnect();
  if (!project) return NextResponse.json({ error: 'not found' }, { status: 404 });
  return NextResponse.json(project);
}

export async function PATCH(req: NextRequest, { params }: Params) {
  const user = await requireUser();
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  if ((await projectOwnerEmail(params.projectId)) !== user.email) {
    return NextResponse.json({ error: 'forbidden' }, { status: 403 });
  }
  const body = (await req.json()) as { name?: string; plan?: string };
  const project = await prisma.project.update({
    where: { id: params.projectId },
    data: { name: body.name, plan: body.plan },
    select: { id: true, name: true, plan: true },
  });
  return NextResponse.json(project);
}

export async function POST(_req: NextRequest, { params }: Params) {
  const user = await requireUser();
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });

  const redis = createClient({ url: process.env.REDIS_URL }); // snag-expect: missing-pool
  await redis.connect();
  const views = await redis.incr(`project:${params.projectId}:views`);
  await redis.quit();
  return NextResponse.json({ views });
}

export async function PUT(_req: NextRequest, { params }: Params) {
  const user = await requireUser();
  if (!user) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });

  await countersReady;
  const key = `recent:${user.email}`;
  await counters.lPush(key, params.projectId);
  await counters.lTrim(key, 0, 9);
  return new NextResponse(null, { status: 204 });
}
