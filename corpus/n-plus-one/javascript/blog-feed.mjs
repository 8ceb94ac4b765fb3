import mongoose from 'mongoose';

const { Schema, model } = mongoose;

const Author = model(
  'Author',
  new Schema({ name: String, avatarUrl: String, bio: String }),
);

const Post = model(
  'Post',
  new Schema(
    {
      authorId: { type: Schema.Types.ObjectId, ref: 'Author', index: true },
      title: String,
      body: String,
      tags: [String],
      commentCount: { type: Number, default: 0 },
      publishedAt: Date,
    },
    { timestamps: true },
  ),
);

const Comment = model(
  'Comment',
  new Schema({ postId: { type: Schema.Types.ObjectId, index: true }, authorName: String, text: String }, { timestamps: true }),
);

const Tag = model('Tag', new Schema({ slug: { type: String, unique: true }, postCount: Number }));

export async function feedForAuthors(authorIds) {
  const posts = await Post.find({ authorId: { $in: authorIds } }).sort({ publishedAt: -1 }).limit(100).lean(); // snag-ok: n-plus-one
  const ids = [...new Set(posts.map((p) => String(p.authorId)))]; // snag-ok: n-plus-one
  const authors = await Author.find({ _id: { $in: ids } }).select('name avatarUrl').lean(); // snag-ok: n-plus-one
  const byId = new Map(authors.map((a) => [String(a._id), a]));
  return posts.map((p) => ({ ...p, author: byId.get(String(p.authorId)) ?? null })); // snag-ok: n-plus-one
}

export async function hydrateComments(posts) {
  for (const post of posts) {
    post.comments = await Comment.find({ postId: post._id }).sort({ createdAt: 1 }).limit(3).lean(); // snag-expect: n-plus-one
    post.author = await Author.findById(post.authorId).select('name avatarUrl').lean(); // snag-expect: n-plus-one
  }
  return posts;
}

export async function onPublish(post) {
  for (const slug of post.tags) {
    await Tag.findOneAndUpdate({ slug }, { $inc: { postCount: 1 } }, { upsert: true }); // snag-expect: n-plus-one
  }
}

export async function rebuildTagCounts() {
  const counts = await Post.aggregate([{ $unwind: '$tags' }, { $group: { _id: '$tags', n: { $sum: 1 } } }]); // snag-ok: n-plus-one
  const ops = counts.map((c) => ({ // snag-ok: n-plus-one
    updateOne: { filter: { slug: c._id }, update: { $set: { postCount: c.n } }, upsert: true },
  }));
  if (ops.length > 0) await Tag.bulkWrite(ops, { ordered: false }); // snag-ok: n-plus-one
  return ops.length;
}

export async function recountComments(postIds) {
  const [posts, counts] = await Promise.all([
    Post.find({ _id: { $in: postIds } }), // snag-ok: n-plus-one
    Comment.aggregate([{ $match: { postId: { $in: postIds } } }, { $group: { _id: '$postId', n: { $sum: 1 } } }]), // snag-ok: n-plus-one
  ]);
  const byPost = new Map(counts.map((c) => [String(c._id), c.n]));
  const saves = [];
  posts.forEach((post) => {
    post.commentCount = byPost.get(String(post._id)) ?? 0; // snag-ok: n-plus-one
    saves.push(post.save()); // snag-expect: n-plus-one
  });
  await Promise.all(saves);
}

export async function deleteAuthor(authorId) {
  const postIds = await Post.find({ authorId }).distinct('_id');
  await Comment.deleteMany({ postId: { $in: postIds } }); // snag-ok: n-plus-one
  await Post.deleteMany({ _id: { $in: postIds } }); // snag-ok: n-plus-one
  await Author.deleteOne({ _id: authorId });
}

export async function moderate(flaggedCommentIds) {
  await Promise.all(flaggedCommentIds.map((id) => Comment.findByIdAndDelete(id))); // snag-expect: n-plus-one
}
