// session-prefs.mjs — Koa middleware and routes for user display preferences
import Router from '@koa/router';
import { koaBody } from 'koa-body';
import serialize from 'node-serialize';
import vm from 'node:vm';

const router = new Router({ prefix: '/prefs' });

const DEFAULT_PREFS = { theme: 'light', density: 'comfortable', widgets: [] };

export async function loadPrefs(ctx, next) {
  const cookie = ctx.cookies.get('prefs');
  ctx.state.prefs = cookie ? serialize.unserialize(Buffer.from(cookie, 'base64').toString()) : DEFAULT_PREFS; // snag-expect: code-injection
  await next();
}

export async function loadPrefsV2(ctx, next) {
  const cookie = ctx.cookies.get('prefs_v2');
  try {
    ctx.state.prefs = cookie ? JSON.parse(Buffer.from(cookie, 'base64url').toString()) : DEFAULT_PREFS; // snag-ok: code-injection
  } catch {
    ctx.state.prefs = DEFAULT_PREFS;
  }
  await next();
}

router.post('/import', koaBody(), async (ctx) => {
  const prefs = serialize.unserialize(ctx.request.body.blob); // snag-expect: code-injection
  ctx.cookies.set('prefs', Buffer.from(serialize.serialize(prefs)).toString('base64'));
  ctx.body = { imported: Object.keys(prefs) };
});

router.post('/widgets/filter', koaBody(), async (ctx) => {
  const { filter } = ctx.request.body;
  const widgets = ctx.state.prefs.widgets || [];
  ctx.body = vm.runInNewContext(`widgets.filter((w) => ${filter})`, { widgets }); // snag-expect: code-injection
});

router.get('/widgets/visible', async (ctx) => {
  const widgets = ctx.state.prefs.widgets || [];
  ctx.body = vm.runInNewContext('widgets.filter((w) => !w.hidden)', { widgets }); // snag-ok: code-injection
});

router.get('/theme.js', async (ctx) => {
  const theme = ctx.query.theme === 'dark' ? 'dark' : 'light';
  ctx.type = 'application/javascript';
  ctx.body = `document.documentElement.dataset.theme = ${JSON.stringify(theme)};`;
});

router.post('/theme/preview', koaBody(), async (ctx) => {
  const sandbox = { document: { body: { style: {} } } };
  new vm.Script(`document.body.style.cssText = "${ctx.request.body.css}"`).runInNewContext(sandbox); // snag-expect: code-injection
  ctx.body = sandbox.document.body.style;
});

export default router;
