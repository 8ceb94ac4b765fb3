// app/api/accounts/[accountId]/invoices/route.ts
import { NextRequest, NextResponse } from 'next/server';
import { PrismaClient } from '@prisma/client';
import { z } from 'zod';

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };
const prisma = globalForPrisma.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== 'production') globalForPrisma.prisma = prisma;

const IMPORT_BATCH = 1_000;

type Ctx = { params: { accountId: string } };

const CreateInvoices = z.object({
  invoices: z
    .array(
      z.object({
        customerId: z.string().uuid(),
        number: z.string().min(1),
        totalCents: z.number().int().nonnegative(),
        dueDate: z.coerce.date(),
      }),
    )
    .min(1)
    .max(200),
});

type LegacyRow = { customer_id: string; invoice_no: string; total: number; due: string };

export async function GET(_req: NextRequest, { params }: Ctx) {
  const { accountId } = params;

  const invoices = await prisma.invoice.findMany({
    where: { accountId, status: { in: ['open', 'overdue'] } },
    select: { id: true, number: true, customerId: true, totalCents: true, dueDate: true },
    orderBy: { dueDate: 'asc' },
  });

  const customerIds = [...new Set(invoices.map((i) => i.customerId))]; // snag-ok: n-plus-one
  const customers = await prisma.customer.findMany({ where: { id: { in: customerIds } }, select: { id: true, name: true } }); // snag-ok: n-plus-one
  const names = new Map(customers.map((c) => [c.id, c.name]));

  const [openCount, overdue] = await Promise.all([
    prisma.invoice.count({ where: { accountId, status: 'open' } }), // snag-ok: n-plus-one
    prisma.invoice.aggregate({ where: { accountId, status: 'overdue' }, _sum: { totalCents: true } }), // snag-ok: n-plus-one
  ]);

  return NextResponse.json({
    openCount,
    overdueCents: overdue._sum.totalCents ?? 0,
    invoices: invoices.map((inv) => ({ ...inv, customerName: names.get(inv.customerId) ?? null })), // snag-ok: n-plus-one
  });
}

export async function POST(req: NextRequest, { params }: Ctx) {
  const parsed = CreateInvoices.safeParse(await req.json());
  if (!parsed.success) {
    return NextResponse.json({ error: parsed.error.flatten() }, { status: 400 });
  }

  const created: Array<{ id: string; number: string }> = [];
  for (const inv of parsed.data.invoices) {
    const customer = await prisma.customer.findUnique({ where: { id: inv.customerId }, select: { accountId: true } }); // snag-expect: n-plus-one
    if (!customer || customer.accountId !== params.accountId) {
      return NextResponse.json({ error: `customer ${inv.customerId} is not on this account` }, { status: 422 });
    }
    created.push(await prisma.invoice.create({ data: { ...inv, accountId: params.accountId }, select: { id: true, number: true } })); // snag-expect: n-plus-one
  }
  return NextResponse.json(created, { status: 201 });
}

export async function PUT(req: NextRequest, { params }: Ctx) {
  const rows = (await req.json()) as LegacyRow[];
  const data = rows.map((r) => ({ // snag-ok: n-plus-one
    accountId: params.accountId,
    customerId: r.customer_id,
    number: r.invoice_no,
    totalCents: Math.round(r.total * 100),
    dueDate: new Date(r.due),
  }));

  let inserted = 0;
  for (let i = 0; i < data.length; i += IMPORT_BATCH) {
    const { count } = await prisma.invoice.createMany({ data: data.slice(i, i + IMPORT_BATCH), skipDuplicates: true }); // snag-ok: n-plus-one
    inserted += count;
  }
  return NextResponse.json({ inserted, skipped: data.length - inserted });
}

export async function PATCH(req: NextRequest, { params }: Ctx) {
  const { ids, paidAt } = (await req.json()) as { ids: string[]; paidAt?: string };
  const result = await prisma.invoice.updateMany({ // snag-ok: n-plus-one
    where: { accountId: params.accountId, id: { in: ids } },
    data: { status: 'paid', paidAt: paidAt ? new Date(paidAt) : new Date() },
  });
  return NextResponse.json({ updated: result.count });
}

export async function DELETE(req: NextRequest, { params }: Ctx) {
  const ids = req.nextUrl.searchParams.getAll('id');
  if (ids.length === 0) {
    return NextResponse.json({ error: 'pass at least one ?id=' }, { status: 400 });
  }
  await Promise.all(ids.map((id) => prisma.invoice.delete({ where: { id, accountId: params.accountId } }))); // snag-expect: n-plus-one
  return new NextResponse(null, { status: 204 });
}
