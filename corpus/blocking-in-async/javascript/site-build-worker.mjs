// Site build worker: consumes the `site-builds` BullMQ queue, checks out the
// customer's repository, runs their static-site build and uploads the output.
// Runs four builds at a time per container; lock renewals and progress events
// share this process's event loop.

import { execFile, execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker as ThreadWorker } from 'node:worker_threads';
import { Worker } from 'bullmq';
import IORedis from 'ioredis';

const execFileAsync = promisify(execFile);
const connection = new IORedis(process.env.REDIS_URL, { maxRetriesPerRequest: null });
const GIT_VERSION = execSync('git --version', { encoding: 'utf8' }).trim(); // snag-ok: blocking-in-async

function run(command, args, cwd) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] }); // snag-ok: blocking-in-async
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}`))));
  });
}

function hashOutput(dir) {
  return new Promise((resolve, reject) => {
    const thread = new ThreadWorker(new URL('./hash-tree.worker.mjs', import.meta.url), { workerData: { dir } });
    thread.once('message', resolve);
    thread.once('error', reject);
  });
}

async function checkout(job, workdir) {
  const { repoUrl, commit } = job.data;
  await execFileAsync('git', ['clone', '--filter=blob:none', '--no-checkout', repoUrl, workdir]); // snag-ok: blocking-in-async
  execFileSync('git', ['checkout', '--detach', commit], { cwd: workdir }); // snag-expect: blocking-in-async
  execSync('git submodule update --init --depth 1', { cwd: workdir, stdio: 'ignore' }); // snag-expect: blocking-in-async
}

async function install(workdir) {
  if (existsSync(path.join(workdir, 'pnpm-lock.yaml'))) { // snag-expect: blocking-in-async
    await run('pnpm', ['install', '--frozen-lockfile'], workdir);
    return;
  }
  const result = spawnSync( // snag-expect: blocking-in-async
    'npm',
    ['ci', '--no-audit', '--no-fund'],
    { cwd: workdir, stdio: 'inherit', timeout: 10 * 60_000 },
  );
  if (result.status !== 0) {
    throw new Error(`npm ci failed with status ${result.status}`);
  }
}

async function build(job, workdir) {
  const pkg = JSON.parse(readFileSync(path.join(workdir, 'package.json'), 'utf8')); // snag-expect: blocking-in-async
  const script = pkg.scripts?.build ? 'build' : null;
  if (!script) {
    throw new Error('package.json has no build script');
  }
  await job.updateProgress(40);
  await run('npm', ['run', script], workdir);
  const outDir = path.join(workdir, job.data.outputDir ?? 'dist');
  const manifest = await readFile(path.join(outDir, 'manifest.json'), 'utf8').catch(() => '{}'); // snag-ok: blocking-in-async
  return { outDir, manifest: JSON.parse(manifest) };
}

const worker = new Worker(
  'site-builds',
  async (job) => {
    const workdir = await mkdtemp(path.join(os.tmpdir(), `build-${job.id}-`));
    try {
      await checkout(job, workdir);
      await install(workdir);
      const { outDir } = await build(job, workdir);
      const digest = await hashOutput(outDir);
      const target = `s3://${process.env.SITES_BUCKET}/${job.data.siteId}/`;
      execFileSync('aws', ['s3', 'sync', '--delete', '--only-show-errors', outDir, target]); // snag-expect: blocking-in-async
      return { digest, git: GIT_VERSION };
    } finally {
      rmSync(workdir, { recursive: true, force: true }); // snag-expect: blocking-in-async
    }
  },
  { connection, concurrency: 4 },
);

worker.on('failed', (job, err) => {
  console.error(`build ${job?.id} failed: ${err.message}`);
});

process.on('SIGTERM', async () => {
  await worker.close();
  await rm(path.join(os.tmpdir(), 'build-cache'), { recursive: true, force: true }); // snag-ok: blocking-in-async
  process.exit(0);
});
