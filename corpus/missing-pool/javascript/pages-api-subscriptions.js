// pages/api/subscriptions/[id].js
//
// Subscription endpoint for the account settings page. Subscriptions live in
// Postgres (Prisma); plan change history is kept in MongoDB; the billing
// provider is called through its REST API.
import axios from 'axios';
import { MongoClient } from 'mongodb';
import { PrismaClient } from '@prisma/client';
import { getToken } from 'next-auth/jwt';

const prisma = global.prisma || new PrismaClient(); // snag-ok: missing-pool
if (process.env.NODE_ENV !== 'production') global.prisma = prisma;

let clientPromise;
if (process.env.NODE_ENV === 'development') {
  if (!global._mongoClientPromise) {
    global._mongoClientPromise = new MongoClient(process.env.MONGODB_URI).connect(); // snag-ok: missing-pool
  }
  clientPromise = global._mongoClientPromise;
} else {
  clientPromise = new MongoClient(process.env.MONGODB_URI).connect(); // snag-ok: missing-pool
}

const PLANS = new Set(['starter', 'team', 'business']);

async function changePlan(req, res, subscriptionId, accountId) {
  const { plan } = req.body || {};
  if (!PLANS.has(plan)) return res.status(400).json({ error: 'unknown plan' });

  const billing = axios.create({ // snag-ok: missing-pool
    baseURL: process.env.BILLING_API_URL,
    timeout: 8000,
    headers: { Authorization: `Bearer ${process.env.BILLING_API_KEY}`, 'Idempotency-Key': `${subscriptionId}:${plan}` },
  });
  const { data } = await billing.post(`/subscriptions/${subscriptionId}/plan`, { plan });

  const updated = await prisma.subscription.update({
    where: { id: subscriptionId, accountId },
    data: { plan, providerStatus: data.status },
    select: { id: true, plan: true, providerStatus: true, renewsAt: true },
  });
  const mongo = await clientPromise;
  await mongo.db('billing').collection('plan_changes').insertOne({ subscriptionId, accountId, plan, at: new Date() });
  return res.json(updated);
}

export default async function handler(req, res) {
  const token = await getToken({ req });
  if (!token) return res.status(401).json({ error: 'unauthorized' });
  const subscriptionId = String(req.query.id);

  if (req.method === 'GET' && req.query.history === '1') {
    const history = new MongoClient(process.env.MONGODB_URI); // snag-expect: missing-pool
    try {
      await history.connect();
      const changes = await history
        .db('billing')
        .collection('plan_changes')
        .find({ subscriptionId, accountId: token.accountId }, { projection: { _id: 0 } })
        .sort({ at: -1 })
        .limit(20)
        .toArray();
      return res.json(changes);
    } finally {
      await history.close();
    }
  }

  if (req.method === 'GET') {
    const db = new PrismaClient(); // snag-expect: missing-pool
    try {
      const subscription = await db.subscription.findFirst({
        where: { id: subscriptionId, accountId: token.accountId },
        select: { id: true, plan: true, seats: true, renewsAt: true, providerStatus: true },
      });
      return subscription ? res.json(subscription) : res.status(404).end();
    } finally {
      await db.$disconnect();
    }
  }

  if (req.method === 'PUT') {
    return changePlan(req, res, subscriptionId, token.accountId);
  }

  res.setHeader('Allow', 'GET, PUT');
  return res.status(405).end();
}
