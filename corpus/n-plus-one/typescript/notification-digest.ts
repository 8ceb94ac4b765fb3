import { Schema, Types, model } from 'mongoose';
import axios from 'axios';

interface IUser {
  email: string;
  name: string;
  pushToken?: string;
  digestOptIn: boolean;
}

interface INotification {
  userId: Types.ObjectId;
  kind: string;
  payload: Record<string, unknown>;
  readAt?: Date | null;
  digestedAt?: Date | null;
  createdAt: Date;
}

const User = model<IUser>(
  'User',
  new Schema<IUser>({
    email: { type: String, required: true, unique: true },
    name: String,
    pushToken: String,
    digestOptIn: { type: Boolean, default: true },
  }),
);

const Notification = model<INotification>(
  'Notification',
  new Schema<INotification>(
    {
      userId: { type: Schema.Types.ObjectId, ref: 'User', index: true },
      kind: String,
      payload: Schema.Types.Mixed,
      readAt: Date,
      digestedAt: Date,
    },
    { timestamps: true },
  ),
);

// Expo push API: accepts up to 100 messages per request.
const push = axios.create({ baseURL: 'https://exp.host', timeout: 10_000 });
const PUSH_BATCH = 100;

export async function sendDailyDigests(since: Date): Promise<number> {
  const pending = await Notification.find({ digestedAt: null, createdAt: { $gte: since } }) // snag-ok: n-plus-one
    .select('userId kind payload')
    .lean();

  const byUser = new Map<string, typeof pending>();
  for (const n of pending) {
    const key = String(n.userId);
    byUser.set(key, [...(byUser.get(key) ?? []), n]); // snag-ok: n-plus-one
  }

  let sent = 0;
  for (const [userId, items] of byUser) {
    const user = await User.findById(userId).select('name pushToken digestOptIn').lean(); // snag-expect: n-plus-one
    if (!user?.digestOptIn || !user.pushToken) continue;
    await push.post('/--/api/v2/push/send', { // snag-expect: n-plus-one
      to: user.pushToken,
      title: `Hi ${user.name}, you have ${items.length} updates`,
    });
    sent++;
  }

  await Notification.updateMany({ _id: { $in: pending.map((n) => n._id) } }, { $set: { digestedAt: new Date() } }); // snag-ok: n-plus-one
  return sent;
}

export async function broadcast(userIds: string[], title: string): Promise<void> {
  const users = await User.find({ _id: { $in: userIds }, pushToken: { $exists: true } }).select('pushToken').lean(); // snag-ok: n-plus-one
  const messages = users.map((u) => ({ to: u.pushToken, title })); // snag-ok: n-plus-one
  for (let i = 0; i < messages.length; i += PUSH_BATCH) {
    await push.post('/--/api/v2/push/send', messages.slice(i, i + PUSH_BATCH)); // snag-ok: n-plus-one
  }
}

export async function expireOld(cutoff: Date): Promise<void> {
  for await (const doc of Notification.find({ createdAt: { $lt: cutoff }, readAt: null }).cursor()) { // snag-ok: n-plus-one
    doc.readAt = cutoff;
    doc.set('payload.expired', true); // snag-ok: n-plus-one
    await doc.save(); // snag-expect: n-plus-one
  }
}

export async function fanOut(kind: string, payload: Record<string, unknown>, userIds: string[]): Promise<void> {
  const docs = userIds.map((id) => ({ userId: new Types.ObjectId(id), kind, payload })); // snag-ok: n-plus-one
  await Notification.insertMany(docs, { ordered: false }); // snag-ok: n-plus-one
}

export function notifyWatchers(kind: string, payload: Record<string, unknown>, watcherIds: string[]): void {
  watcherIds.forEach(async (watcherId) => {
    await Notification.create({ userId: watcherId, kind, payload }); // snag-expect: n-plus-one
  });
}

export async function unreadCounts(userIds: string[]): Promise<Map<string, number>> {
  const rows = await Notification.aggregate<{ _id: Types.ObjectId; n: number }>([ // snag-ok: n-plus-one
    { $match: { userId: { $in: userIds.map((id) => new Types.ObjectId(id)) }, readAt: null } },
    { $group: { _id: '$userId', n: { $sum: 1 } } },
  ]);
  return new Map(rows.map((r) => [String(r._id), r.n])); // snag-ok: n-plus-one
}

export async function badgeCounts(userIds: string[]): Promise<Record<string, number>> {
  const entries = await Promise.all(
    userIds.map(async (userId) => [userId, await Notification.countDocuments({ userId, readAt: null })] as const), // snag-expect: n-plus-one
  );
  return Object.fromEntries(entries);
}
