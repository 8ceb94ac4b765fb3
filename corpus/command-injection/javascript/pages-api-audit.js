// pages/api/audit.js — runs Lighthouse and screenshots for the marketing team's URL checker
import { execFileSync, execSync, spawnSync } from 'child_process';
import { quote } from 'shell-quote';

const REPORT_DIR = '/tmp/audits';
const PRESETS = ['desktop', 'perf', 'experimental'];

function runLighthouse(url, preset) {
  const args = ['lighthouse', url, '--output=json', '--quiet', '--chrome-flags=--headless'];
  if (PRESETS.includes(preset)) {
    args.push(`--preset=${preset}`);
  }
  return execSync(quote(['npx', ...args]), { encoding: 'utf8', timeout: 120000 }); // snag-ok: command-injection
}

function captureScreenshot(url, width) {
  const file = `${REPORT_DIR}/shot-${Date.now()}.png`;
  execSync(`chromium --headless --disable-gpu --window-size=${width},900 --screenshot=${file} "${url}"`, { timeout: 60000 }); // snag-expect: command-injection
  return file;
}

export default function handler(req, res) {
  if (req.method === 'GET') {
    const report = runLighthouse(String(req.query.url), req.query.preset);
    return res.status(200).json(JSON.parse(report));
  }

  if (req.method === 'POST') {
    const { url, width = 1280 } = req.body;
    const file = captureScreenshot(url, width);
    return res.status(201).json({ file });
  }

  if (req.method === 'PUT') {
    const { url } = req.body;
    const result = spawnSync('curl', ['-sS', '-o', '/dev/null', '-w', '%{http_code}', '--max-time', '10', url], { encoding: 'utf8' }); // snag-expect: slow-work-in-handler, blocking-in-async; snag-ok: command-injection
    return res.status(200).json({ status: Number(result.stdout) });
  }

  if (req.method === 'PATCH') {
    const { host } = req.body;
    const out = execSync('host -W 3 ' + host, { encoding: 'utf8' }); // snag-expect: slow-work-in-handler, command-injection, blocking-in-async
    return res.status(200).json({ dns: out.trim().split('\n') });
  }

  if (req.method === 'DELETE') {
    const keep = Math.max(1, Number.parseInt(req.query.keep, 10) || 20);
    execSync(`ls -1t ${REPORT_DIR} | tail -n +${keep + 1} | xargs -r -I{} rm -f ${REPORT_DIR}/{}`); // snag-expect: slow-work-in-handler, blocking-in-async; snag-ok: command-injection
    const left = execFileSync('ls', ['-1', REPORT_DIR], { encoding: 'utf8' }); // snag-expect: slow-work-in-handler, blocking-in-async; snag-ok: command-injection
    return res.status(200).json({ kept: left.trim().split('\n').filter(Boolean) });
  }

  res.setHeader('Allow', 'GET, POST, PUT, PATCH, DELETE');
  return res.status(405).end();
}
