// app/(shop)/account/orders/OrderHistory.tsx — React server component
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { auth } from '@/lib/auth';
import { prisma } from '@/lib/prisma';
import { TrackingPanel } from './TrackingPanel';

type Props = { customerId: string };

function formatCents(cents: number): string {
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(cents / 100);
}

async function Recommendations({ productIds }: { productIds: string[] }) {
  const products = await Promise.all(
    productIds.map((id) => prisma.product.findUnique({ where: { id }, select: { id: true, name: true, slug: true } })), // snag-expect: n-plus-one
  );
  return (
    <aside>
      <h2>You might also like</h2>
      <ul>
        {products.map((p) => // snag-ok: n-plus-one
          p ? (
            <li key={p.id}>
              <Link href={`/products/${p.slug}`}>{p.name}</Link>
            </li>
          ) : null,
        )}
      </ul>
    </aside>
  );
}

export default async function OrderHistory({ customerId }: Props) {
  const session = await auth();
  if (!session?.user || session.user.id !== customerId) notFound();

  const orders = await prisma.order.findMany({
    where: { customerId },
    orderBy: { placedAt: 'desc' },
    take: 20,
    select: { id: true, number: true, placedAt: true, totalCents: true, shippingAddressId: true },
  });

  const withItems = await Promise.all(
    orders.map(async (order) => ({
      ...order,
      items: await prisma.orderItem.findMany({ // snag-expect: n-plus-one
        where: { orderId: order.id },
        select: { id: true, title: true, quantity: true, productId: true },
      }),
    })),
  );

  const addressIds = orders.map((o) => o.shippingAddressId); // snag-ok: n-plus-one
  const addresses = await prisma.address.findMany({ where: { id: { in: addressIds } }, select: { id: true, city: true, country: true } }); // snag-ok: n-plus-one
  const cityById = new Map(addresses.map((a) => [a.id, `${a.city}, ${a.country}`]));
  const rows = withItems.map((o) => ({ ...o, shipTo: cityById.get(o.shippingAddressId) ?? '—' })); // snag-ok: n-plus-one

  const shipments = await prisma.shipment.findMany({
    where: { orderId: { in: orders.map((o) => o.id) }, deliveredAt: null }, // snag-ok: n-plus-one
    select: { id: true, carrier: true, trackingNumber: true },
  });
  const recommended = [...new Set(rows.flatMap((o) => o.items.map((i) => i.productId)))].slice(0, 4); // snag-ok: n-plus-one

  return (
    <section>
      <h1>Your orders</h1>
      <ul>
        {rows.map((order) => ( // snag-ok: n-plus-one
          <li key={order.id}>
            <Link href={`/account/orders/${order.id}`}>#{order.number}</Link>
            <span>{formatCents(order.totalCents)}</span>
            <span>{order.shipTo}</span>
            <ul>
              {order.items.map((item) => ( // snag-ok: n-plus-one
                <li key={item.id}>
                  {item.quantity} × {item.title}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
      <TrackingPanel shipments={shipments} />
      <Recommendations productIds={recommended} />
    </section>
  );
}
