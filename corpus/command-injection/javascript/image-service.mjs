// image-service.mjs — Koa service that resizes, filters and inspects product images
import Router from '@koa/router';
import Koa from 'koa';
import { koaBody } from 'koa-body';
import { exec as execCallback, execFile as execFileCallback } from 'node:child_process';
import { promisify } from 'node:util';
import { quote } from 'shell-quote';

const exec = promisify(execCallback);
const execFile = promisify(execFileCallback);

const IMAGES = '/var/lib/images';
const SIZE_PATTERN = /^(\d{1,4})x(\d{1,4})$/;
const FILTERS = {
  grayscale: '-colorspace Gray',
  sepia: '-sepia-tone 80%',
  blur: '-blur 0x4',
};

const app = new Koa();
const router = new Router();

async function identify(name) {
  const { stdout } = await exec(`identify -verbose ${IMAGES}/${name}`); // snag-expect: command-injection
  return stdout;
}

async function checksum(file) {
  const { stdout } = await exec(`sha256sum ${quote([file])}`); // snag-ok: command-injection
  return stdout.split(' ')[0];
}

router.get('/images/:name/resize', async (ctx) => {
  const { w = '800', h = '600' } = ctx.query;
  await exec(`convert ${IMAGES}/${ctx.params.name} -resize ${w}x${h} ${IMAGES}/cache/${w}x${h}-${ctx.params.name}`); // snag-expect: slow-work-in-handler, command-injection
  ctx.body = { cached: `${w}x${h}-${ctx.params.name}` };
});

router.get('/images/:name/thumb', async (ctx) => {
  const size = SIZE_PATTERN.exec(String(ctx.query.size ?? '')); // snag-ok: command-injection
  const w = size ? Number.parseInt(size[1], 10) : Number.parseInt(ctx.query.w, 10) || 800;
  const h = size ? Number.parseInt(size[2], 10) : Number.parseInt(ctx.query.h, 10) || 600;
  await execFile('convert', [`${IMAGES}/${ctx.params.name}`, '-resize', `${w}x${h}`, `${IMAGES}/cache/${w}x${h}-${ctx.params.name}`]); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  ctx.body = { cached: `${w}x${h}-${ctx.params.name}` };
});

router.post('/images/:name/filter', koaBody(), async (ctx) => {
  const filter = FILTERS[ctx.request.body.filter];
  if (!filter) {
    ctx.throw(400, 'unknown filter');
  }
  const source = quote([`${IMAGES}/${ctx.params.name}`]);
  await exec(`convert ${source} ${filter} ${IMAGES}/filtered.png`); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  ctx.body = { ok: true };
});

router.post('/images/watermark', koaBody(), async (ctx) => {
  const { text } = ctx.request.body;
  await exec(`convert ${IMAGES}/base.png -gravity south -annotate +0+10 '${text}' ${IMAGES}/watermarked.png`); // snag-expect: slow-work-in-handler, command-injection
  ctx.body = { ok: true };
});

router.post('/images/import', koaBody(), async (ctx) => {
  const { url } = ctx.request.body;
  const name = `import-${Date.now()}.img`;
  await exec(`curl -fsSL --max-time 20 -o ${IMAGES}/${name} ${url}`); // snag-expect: slow-work-in-handler, command-injection
  ctx.body = { name };
});

router.get('/images/:name/meta', async (ctx) => {
  ctx.body = { meta: await identify(ctx.params.name), sha256: await checksum(`${IMAGES}/${ctx.params.name}`) };
});

app.use(router.routes()).use(router.allowedMethods());
app.listen(Number(process.env.PORT) || 3004);
