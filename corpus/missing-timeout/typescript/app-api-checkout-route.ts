import axios from 'axios';
import { NextRequest, NextResponse } from 'next/server';
import { z } from 'zod';

import { auth } from '@/lib/auth';
import { db } from '@/lib/db';

const CheckoutBody = z.object({
  cartId: z.string().uuid(),
  couponCode: z.string().max(32).optional(),
  shippingPostcode: z.string().min(3).max(10),
});

const TAX_API = process.env.TAX_API_URL!;
const FRAUD_API = process.env.FRAUD_API_URL!;
const PAYMENTS_API = process.env.PAYMENTS_API_URL!;

export async function POST(req: NextRequest) {
  const session = await auth();
  if (!session?.user) {
    return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  }
  const parsed = CheckoutBody.safeParse(await req.json());
  if (!parsed.success) {
    return NextResponse.json({ error: parsed.error.flatten() }, { status: 400 });
  }
  const { cartId, couponCode, shippingPostcode } = parsed.data;
  const cart = await db.cart.findUniqueOrThrow({ where: { id: cartId }, include: { items: true } });

  // Node's fetch (undici) stops waiting after 300 s for headers or body data by default.
  const taxResponse = await fetch(`${TAX_API}/v1/calculate`, { // snag-ok: missing-timeout
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ postcode: shippingPostcode, lines: cart.items }),
  });
  const tax = (await taxResponse.json()) as { totalCents: number };

  const fraud = await fetch(`${FRAUD_API}/v2/score`, { // snag-ok: missing-timeout
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: session.user.id, cartId }),
    signal: AbortSignal.timeout(2_500),
  }).then((r) => r.json() as Promise<{ score: number }>);
  if (fraud.score > 0.9) {
    return NextResponse.json({ error: 'checkout blocked' }, { status: 403 });
  }

  let discountCents = 0;
  if (couponCode) {
    const { data } = await axios.post<{ discountCents: number }>(`${PAYMENTS_API}/coupons/redeem`, { // snag-expect: missing-timeout
      code: couponCode,
      cartId,
    });
    discountCents = data.discountCents;
  }

  const { data: intent } = await axios.post<{ id: string; clientSecret: string }>( // snag-ok: missing-timeout
    `${PAYMENTS_API}/payment-intents`,
    { amountCents: cart.totalCents + tax.totalCents - discountCents, currency: 'eur', metadata: { cartId } },
    { timeout: 8_000, headers: { 'Idempotency-Key': cartId } },
  );

  await axios.patch(`${PAYMENTS_API}/carts/${cartId}`, { status: 'pending_payment', intentId: intent.id }); // snag-expect: missing-timeout

  await axios({ // snag-expect: missing-timeout
    method: 'post',
    url: `${PAYMENTS_API}/analytics/checkout-started`,
    data: { cartId, userId: session.user.id },
  });

  return NextResponse.json({ clientSecret: intent.clientSecret });
}

export async function GET(req: NextRequest) {
  const cartId = req.nextUrl.searchParams.get('cartId');
  if (!cartId) {
    return NextResponse.json({ error: 'cartId required' }, { status: 400 });
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 3_000);
  try {
    const { data } = await axios.get(`${PAYMENTS_API}/carts/${cartId}/methods`, { signal: controller.signal }); // snag-ok: missing-timeout
    return NextResponse.json(data);
  } finally {
    clearTimeout(timer);
  }
}
