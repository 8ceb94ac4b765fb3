// app/(dashboard)/customers/[id]/page.tsx
//
// Customer detail page (React Server Component) with its recent orders and an
// "archive" server action.
import { notFound, redirect } from 'next/navigation';
import { revalidatePath } from 'next/cache';
import { PrismaClient } from '@prisma/client';
import { formatMoney } from '@/lib/format';

declare global {
  // eslint-disable-next-line no-var
  var __customersDb: PrismaClient | undefined;
}

const db = globalThis.__customersDb ?? (globalThis.__customersDb = new PrismaClient()); // snag-ok: missing-pool

type PageProps = { params: { id: string } };

export async function generateMetadata({ params }: PageProps) {
  const customer = await db.customer.findUnique({ where: { id: params.id }, select: { name: true } });
  return { title: customer ? `${customer.name} · Customers` : 'Customer' };
}

async function archiveCustomer(formData: FormData) {
  'use server';
  const id = String(formData.get('id'));
  const client = new PrismaClient(); // snag-expect: missing-pool
  await client.customer.update({ where: { id }, data: { archivedAt: new Date() } });
  await client.$disconnect();
  revalidatePath('/customers');
  redirect('/customers');
}

async function RecentOrders({ customerId }: { customerId: string }) {
  const orders = await db.order.findMany({
    where: { customerId },
    orderBy: { createdAt: 'desc' },
    take: 10,
    select: { id: true, number: true, totalCents: true, status: true, createdAt: true },
  });
  if (orders.length === 0) return <p className="text-sm text-muted-foreground">No orders yet.</p>;
  return (
    <table className="w-full text-sm">
      <thead>
        <tr>
          <th className="text-left">Order</th>
          <th className="text-left">Status</th>
          <th className="text-right">Total</th>
        </tr>
      </thead>
      <tbody>
        {orders.map((order) => (
          <tr key={order.id}>
            <td>#{order.number}</td>
            <td>{order.status}</td>
            <td className="text-right">{formatMoney(order.totalCents)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export default async function CustomerPage({ params }: PageProps) {
  const prisma = new PrismaClient(); // snag-expect: missing-pool
  const customer = await prisma.customer.findUnique({
    where: { id: params.id },
    select: { id: true, name: true, email: true, createdAt: true, lifetimeValueCents: true },
  });
  if (!customer) notFound();

  return (
    <main className="space-y-6 p-6">
      <header className="flex items-center justify-between">
        <div>
          <h1 className="text-2xl font-semibold">{customer.name}</h1>
          <p className="text-muted-foreground">{customer.email}</p>
        </div>
        <form action={archiveCustomer}>
          <input type="hidden" name="id" value={customer.id} />
          <button type="submit" className="btn btn-outline">Archive</button>
        </form>
      </header>
      <section>
        <h2 className="mb-2 font-medium">Lifetime value: {formatMoney(customer.lifetimeValueCents)}</h2>
        <RecentOrders customerId={customer.id} />
      </section>
    </main>
  );
}
