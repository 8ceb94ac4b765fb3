// pages/orders/[id].tsx
//
// Order detail page for signed-in customers (pages router). The server side
// loads the order through Prisma and the returns policy the content team
// keeps in content/returns.yml; the client filters the lines, marks which
// can be returned and polls the carrier status while the parcel is moving.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import yaml from 'js-yaml';
import type { GetServerSideProps } from 'next';
import { getServerSession } from 'next-auth/next';
import { useEffect, useMemo, useState } from 'react';
import { authOptions } from '@/lib/auth';
import { prisma } from '@/lib/prisma';
import { escapeRegExp, formatCents } from '@/lib/format';

type Line = { sku: string; title: string; quantity: number; unitCents: number };
type ReturnedItem = { sku: string; status: string };
type ReturnsPolicy = { windowDays: number; excludedSkuPattern: string };
type Props = {
  order: { id: string; status: string; placedAt: string; lines: Line[]; returns: ReturnedItem[] };
  policy: ReturnsPolicy;
};

export const getServerSideProps: GetServerSideProps<Props> = async (ctx) => {
  const session = await getServerSession(ctx.req, ctx.res, authOptions);
  if (!session?.user) {
    return { redirect: { destination: `/login?next=/orders/${ctx.params?.id}`, permanent: false } };
  }
  const order = await prisma.order.findFirst({
    where: { id: String(ctx.params?.id), customerId: session.user.id },
    include: { lines: true, returns: true },
  });
  if (!order) {
    return { notFound: true };
  }
  const policy = yaml.load(await readFile(path.join(process.cwd(), 'content', 'returns.yml'), 'utf8')) as ReturnsPolicy; // snag-expect: missing-cache
  return {
    props: {
      order: { ...order, placedAt: order.placedAt.toISOString() },
      policy,
    },
  };
};

function useCarrierStatus(orderId: string, active: boolean) {
  const [status, setStatus] = useState<string | null>(null);
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(async () => {
      const res = await fetch(`/api/orders/${orderId}/tracking`); // snag-ok: missing-cache
      if (res.ok) setStatus((await res.json()).status);
    }, 30_000);
    return () => clearInterval(timer);
  }, [orderId, active]);
  return status;
}

export default function OrderDetailPage({ order, policy }: Props) {
  const [filter, setFilter] = useState('');
  const matcher = useMemo(() => new RegExp(escapeRegExp(filter), 'i'), [filter]); // snag-ok: missing-cache
  const carrierStatus = useCarrierStatus(order.id, order.status === 'shipped');

  const visible = order.lines.filter((line) => matcher.test(line.title) || matcher.test(line.sku));
  const returnable = order.lines.filter((line) => !new RegExp(policy.excludedSkuPattern).test(line.sku)); // snag-expect: missing-cache
  const giftCards = order.lines.filter((line) => /^GIFT-\d+$/.test(line.sku)); // snag-ok: missing-cache
  const replacements = new Map(
    order.lines.map((line): [string, number] => {
      const replacementSku = new RegExp(`^${escapeRegExp(line.sku)}-R\\d+$`); // snag-ok: missing-cache
      return [line.sku, order.returns.filter((item) => replacementSku.test(item.sku)).length];
    }),
  );

  return (
    <main className="order-detail">
      <h1>Order {order.id}</h1>
      <p>
        Placed {new Date(order.placedAt).toLocaleDateString()} · {carrierStatus ?? order.status}
      </p>
      <input value={filter} onChange={(e) => setFilter(e.target.value)} placeholder="Filter items" />
      <ul>
        {visible.map((line) => (
          <li key={line.sku}>
            {line.quantity} × {line.title} — {formatCents(line.unitCents)}
            {returnable.includes(line) ? ' · returnable' : ''}
            {giftCards.includes(line) ? ' · gift card' : ''}
            {replacements.get(line.sku) ? ` · ${replacements.get(line.sku)} replacement(s)` : ''}
          </li>
        ))}
      </ul>
      <p>Returns accepted within {policy.windowDays} days.</p>
    </main>
  );
}
