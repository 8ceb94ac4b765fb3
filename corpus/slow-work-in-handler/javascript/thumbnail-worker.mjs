// workers/thumbnail-worker.mjs
//
// BullMQ worker for the `thumbnails` and `render` queues: step photos, clip
// renditions and share cards. Started as its own process
// (`node workers/thumbnail-worker.mjs`, one per media box); never imported
// by the web servers.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { Worker } from 'bullmq';
import nodemailer from 'nodemailer';
import puppeteer from 'puppeteer';
import sharp from 'sharp';

const connection = { host: process.env.REDIS_HOST ?? '127.0.0.1', port: 6379 };
const MEDIA_ROOT = process.env.MEDIA_ROOT ?? '/var/lib/recipes/media';
const WIDTHS = [320, 640, 1280];
const ops = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 25 });

function ffmpeg(args) {
  return new Promise((resolve, reject) => {
    const child = spawn('ffmpeg', ['-y', ...args], { stdio: ['ignore', 'ignore', 'pipe'] }); // snag-ok: slow-work-in-handler
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(stderr.slice(-500)))));
  });
}

async function stepPhoto({ slug, step, format }) {
  const source = path.join(MEDIA_ROOT, slug, 'originals', `${step}.${format}`);
  for (const width of WIDTHS) {
    await sharp(source).rotate().resize({ width }).webp({ quality: 80 }).toFile(path.join(MEDIA_ROOT, slug, `${step}-${width}.webp`)); // snag-ok: slow-work-in-handler
  }
}

async function clip({ slug }) {
  const dir = path.join(MEDIA_ROOT, slug);
  await ffmpeg(['-i', path.join(dir, 'clip-original.mov'), '-vf', 'scale=-2:720', '-c:v', 'libx264', '-crf', '26', path.join(dir, 'clip.mp4')]);
  await ffmpeg(['-ss', '1', '-i', path.join(dir, 'clip.mp4'), '-frames:v', '1', path.join(dir, 'clip-poster.jpg')]);
}

async function printable({ slug }) {
  const browser = await puppeteer.launch({ args: ['--no-sandbox'] });
  try {
    const page = await browser.newPage();
    await page.goto(`${process.env.SITE_URL}/recipes/${slug}?print=1`, { waitUntil: 'networkidle0' });
    await page.pdf({ path: path.join(MEDIA_ROOT, slug, 'print.pdf'), format: 'A5' }); // snag-ok: slow-work-in-handler
  } finally {
    await browser.close();
  }
}

const handlers = { 'step-photo': stepPhoto, clip, printable };

const worker = new Worker(
  'thumbnails',
  async (job) => {
    const run = handlers[job.name];
    if (!run) throw new Error(`unknown job ${job.name}`);
    await run(job.data);
  },
  { connection, concurrency: 2 },
);

const cards = new Worker(
  'render',
  async (job) => {
    const source = path.join(MEDIA_ROOT, 'covers', `${job.data.slug}.jpeg`);
    await sharp(source).resize(1200, 630, { fit: 'cover' }).png().toFile(path.join(MEDIA_ROOT, 'cards', `${job.data.slug}.png`)); // snag-ok: slow-work-in-handler
  },
  { connection },
);

worker.on('failed', async (job, err) => {
  if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) {
    await ops.sendMail({ from: 'media@recipes.example', to: 'media-oncall@recipes.example', subject: `job ${job.name} failed`, text: err.message }); // snag-ok: slow-work-in-handler
  }
});

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, async () => {
    await Promise.all([worker.close(), cards.close()]);
    process.exit(0);
  });
}
