// src/routes/uploads.ts
//
// Listing photos and walkthrough videos for the property pages. Originals go
// to the uploads bucket mount; renditions are made by the media worker
// (src/workers/media.ts) from the `media` queue, except for the routes the
// mobile app still calls synchronously.
import { execFile, execFileSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { Router, type Request, type Response } from 'express';
import ffmpeg from 'fluent-ffmpeg';
import multer from 'multer';
import sharp from 'sharp';
import { imageSize } from 'image-size';
import { Queue } from 'bullmq';
import { requireAgent } from '../middleware/auth';

const execFileAsync = promisify(execFile);
const upload = multer({ storage: multer.memoryStorage(), limits: { fileSize: 25 * 1024 * 1024 } });
const MEDIA_DIR = process.env.MEDIA_DIR ?? '/mnt/uploads';
const media = new Queue('media', { connection: { host: process.env.REDIS_HOST ?? 'redis', port: 6379 } });
const EXIF_DATE = /DateTimeOriginal\s*:\s*(\d{4}):(\d{2}):(\d{2})/;

export const uploads = Router();
uploads.use(requireAgent);

uploads.post('/listings/:id/photos', upload.single('photo'), async (req: Request, res: Response) => {
  const id = `${req.params.id}-${Date.now()}`;
  const meta = await sharp(req.file!.buffer).metadata(); // snag-ok: slow-work-in-handler
  if ((meta.width ?? 0) < 1024) {
    return res.status(422).json({ error: 'photos must be at least 1024px wide' });
  }
  await media.add('listing-photo', { listingId: req.params.id, id, original: req.file!.buffer.toString('base64') }); // snag-ok: slow-work-in-handler
  res.status(202).send({ id, status: 'processing' }); // snag-ok: slow-work-in-handler
});

uploads.post('/listings/:id/cover', upload.single('photo'), async (req: Request, res: Response) => {
  const target = path.join(MEDIA_DIR, 'covers', `${req.params.id}.webp`);
  await sharp(req.file!.buffer) // snag-expect: slow-work-in-handler
    .rotate()
    .resize(1600, 900, { fit: 'cover', position: 'attention' })
    .webp({ quality: 80 })
    .toFile(target);
  res.json({ url: `/media/covers/${req.params.id}.webp` });
});

uploads.post('/agents/me/avatar', upload.single('avatar'), async (req: Request, res: Response) => {
  const { width, height } = imageSize(req.file!.buffer); // snag-ok: slow-work-in-handler
  if (!width || !height || width !== height) {
    return res.status(422).json({ error: 'avatar must be square' });
  }
  const avatar = await sharp(req.file!.buffer).resize(256).png({ compressionLevel: 9 }).toBuffer(); // snag-expect: slow-work-in-handler
  await writeFile(path.join(MEDIA_DIR, 'avatars', `${res.locals.agentId}.png`), avatar);
  res.type('png').send(avatar); // snag-ok: slow-work-in-handler
});

uploads.post('/listings/:id/walkthrough/poster', async (req: Request, res: Response) => {
  const source = path.join(MEDIA_DIR, 'walkthroughs', `${req.params.id}.mp4`);
  const poster = path.join(MEDIA_DIR, 'walkthroughs', `${req.params.id}.jpg`);
  const at = Number(req.body.seconds ?? 3);
  await execFileAsync('ffmpeg', ['-y', '-ss', String(at), '-i', source, '-frames:v', '1', '-q:v', '3', poster]); // snag-expect: slow-work-in-handler
  res.json({ poster: `/media/walkthroughs/${req.params.id}.jpg` });
});

uploads.post('/listings/:id/walkthrough/trim', (req: Request, res: Response) => {
  const source = path.join(MEDIA_DIR, 'walkthroughs', `${req.params.id}.mp4`);
  const trimmed = path.join(MEDIA_DIR, 'walkthroughs', `${req.params.id}-trimmed.mp4`);
  const { start, end } = req.body as { start: number; end: number };
  execFileSync('ffmpeg', ['-y', '-ss', String(start), '-to', String(end), '-i', source, '-c', 'copy', trimmed]); // snag-expect: slow-work-in-handler, blocking-in-async
  res.json({ url: `/media/walkthroughs/${req.params.id}-trimmed.mp4` });
});

uploads.post('/listings/:id/walkthrough/teaser', async (req: Request, res: Response) => {
  const source = path.join(MEDIA_DIR, 'walkthroughs', `${req.params.id}.mp4`);
  const teaser = path.join(MEDIA_DIR, 'walkthroughs', `${req.params.id}-teaser.gif`);
  try {
    await new Promise<void>((resolve, reject) => {
      ffmpeg(source) // snag-expect: slow-work-in-handler
        .setStartTime(0)
        .duration(5)
        .outputOptions(['-vf', 'fps=12,scale=480:-1:flags=lanczos'])
        .on('end', () => resolve())
        .on('error', reject)
        .save(teaser);
    });
    res.json({ url: `/media/walkthroughs/${req.params.id}-teaser.gif` });
  } catch (err) {
    res.status(500).json({ error: (err as Error).message });
  }
});

uploads.post('/listings/:id/photos/:photoId/taken-on', async (req: Request, res: Response) => {
  const match = EXIF_DATE.exec(String(req.body.exif ?? '')); // snag-ok: slow-work-in-handler
  const takenOn = match ? `${match[1]}-${match[2]}-${match[3]}` : null;
  res.json({ photoId: req.params.photoId, takenOn });
});

uploads.post('/listings/:id/walkthrough', upload.single('video'), async (req: Request, res: Response) => {
  const original = path.join(MEDIA_DIR, 'incoming', `${req.params.id}-${Date.now()}${path.extname(req.file!.originalname)}`);
  await writeFile(original, req.file!.buffer);
  const job = await media.add( // snag-ok: slow-work-in-handler
    'walkthrough-transcode',
    { listingId: req.params.id, original },
    { attempts: 3, removeOnComplete: 1000 },
  );
  res.status(202).json({ job: job.id });
});
