// Media service for the recipe site (Fastify). Handles step photos and the
// short cooking clips authors upload; renditions normally come from
// workers/thumbnail-worker.mjs via the `thumbnails` queue, but the crop,
// hero and clip endpoints written before the worker existed still render in
// the request.
import { execFileSync, spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Fastify from 'fastify';
import multipart from '@fastify/multipart';
import puppeteer from 'puppeteer';
import sharp from 'sharp';
import { Queue } from 'bullmq';

const MEDIA_ROOT = process.env.MEDIA_ROOT ?? '/var/lib/recipes/media';
const thumbnails = new Queue('thumbnails', { connection: { host: process.env.REDIS_HOST ?? '127.0.0.1', port: 6379 } });
const SLUG = /^[a-z0-9-]{3,80}$/;

const app = Fastify({ logger: true, bodyLimit: 50 * 1024 * 1024 });
await app.register(multipart);

app.post('/recipes/:slug/steps/:step/photo', async (request, reply) => {
  const { slug, step } = request.params;
  if (!SLUG.exec(slug)) return reply.code(400).send({ error: 'bad slug' }); // snag-ok: slow-work-in-handler
  const file = await request.file();
  const original = await file.toBuffer();
  const { width, height, format } = await sharp(original).metadata(); // snag-ok: slow-work-in-handler
  if (!['jpeg', 'png', 'webp', 'heif'].includes(format)) return reply.code(415).send({ error: 'unsupported image' });
  const dir = path.join(MEDIA_ROOT, slug, 'originals');
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${step}.${format}`), original);
  await thumbnails.add('step-photo', { slug, step, format, width, height }); // snag-ok: slow-work-in-handler
  return reply.code(202).send({ status: 'processing' }); // snag-ok: slow-work-in-handler
});

app.post('/recipes/:slug/steps/:step/crop', async (request, reply) => {
  const { slug, step } = request.params;
  const { left, top, width, height } = request.body;
  const source = path.join(MEDIA_ROOT, slug, 'originals', `${step}.jpeg`);
  const target = path.join(MEDIA_ROOT, slug, `${step}-card.webp`);
  await sharp(source) // snag-expect: slow-work-in-handler
    .extract({ left, top, width, height })
    .resize(800, 600)
    .webp({ quality: 78 })
    .toFile(target);
  return { url: `/media/${slug}/${step}-card.webp` };
});

app.post('/recipes/:slug/hero', async (request, reply) => {
  const file = await request.file();
  const hero = await sharp(await file.toBuffer()).resize({ width: 2400, withoutEnlargement: true }).avif({ quality: 55 }).toBuffer(); // snag-expect: slow-work-in-handler
  await writeFile(path.join(MEDIA_ROOT, request.params.slug, 'hero.avif'), hero);
  return reply.code(201).send({ url: `/media/${request.params.slug}/hero.avif`, bytes: hero.length });
});

app.post('/recipes/:slug/clip/compress', async (request, reply) => {
  const source = path.join(MEDIA_ROOT, request.params.slug, 'clip-original.mov');
  const target = path.join(MEDIA_ROOT, request.params.slug, 'clip.mp4');
  const code = await new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-y', '-i', source, '-vf', 'scale=-2:720', '-c:v', 'libx264', '-crf', '26', '-an', target]); // snag-expect: slow-work-in-handler
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0) return reply.code(500).send({ error: `ffmpeg exited with ${code}` });
  return { url: `/media/${request.params.slug}/clip.mp4` };
});

app.post('/recipes/:slug/clip/contact-sheet', async (request, reply) => {
  const dir = path.join(MEDIA_ROOT, request.params.slug);
  const frames = path.join(dir, 'frames', '*.jpg');
  execFileSync('montage', [frames, '-tile', '4x', '-geometry', '320x180+4+4', path.join(dir, 'contact-sheet.jpg')], { timeout: 60_000 }); // snag-expect: slow-work-in-handler, blocking-in-async
  return { url: `/media/${request.params.slug}/contact-sheet.jpg` };
});

app.post('/recipes/:slug/clip', async (request, reply) => {
  const file = await request.file();
  const dir = path.join(MEDIA_ROOT, request.params.slug);
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, 'clip-original.mov'), await file.toBuffer());
  const job = await thumbnails.add('clip', { slug: request.params.slug }, { attempts: 2 }); // snag-ok: slow-work-in-handler
  return reply.code(202).send({ job: job.id });
});

app.get('/recipes/:slug/print.pdf', async (request, reply) => {
  const browser = await puppeteer.launch({ args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${process.env.SITE_URL}/recipes/${request.params.slug}?print=1`, { waitUntil: 'networkidle0' });
    const pdf = await page.pdf({ format: 'A5', printBackground: true }); // snag-expect: slow-work-in-handler
    return reply.type('application/pdf').send(pdf);
  } finally {
    await browser.close();
  }
});

app.get('/healthz', async () => ({ ok: true, queue: await thumbnails.getJobCounts('waiting', 'active') }));

await app.listen({ port: Number(process.env.PORT ?? 3004), host: '0.0.0.0' });
