// ci-runner.mjs — tiny Fastify service the preview environments call to run checks
import { exec, spawn } from 'node:child_process';
import Fastify from 'fastify';
import { execa, execaSync } from 'execa';
import { $ } from 'zx';

const WORKSPACE = '/workspace/app';
const RUNNERS = { unit: 'npm test -- --ci', lint: 'npm run lint', types: 'npx tsc --noEmit' };

const app = Fastify({ logger: true });

app.post('/checks/run', async (request, reply) => {
  const command = RUNNERS[request.body.kind];
  if (!command) {
    return reply.code(400).send({ error: 'unknown check' });
  }
  const { exitCode, stdout } = await execa(command, { shell: true, cwd: WORKSPACE, reject: false }); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  return { exitCode, stdout };
});

app.post('/checks/tests', async (request) => {
  const { pattern = '' } = request.body;
  const { exitCode, stdout } = await execa(`npm test -- --ci --testNamePattern="${pattern}"`, { shell: true, cwd: WORKSPACE, reject: false }); // snag-expect: slow-work-in-handler, command-injection
  return { exitCode, stdout };
});

app.post('/checks/file', async (request) => {
  const { file } = request.body;
  const { exitCode, stdout } = await execa('npx', ['eslint', '--format', 'json', file], { cwd: WORKSPACE, reject: false }); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  return { exitCode, report: JSON.parse(stdout || '[]') };
});

app.post('/checks/script', async (request) => {
  const { setup = '', env = 'test' } = request.body;
  const script = `cd ${WORKSPACE} && ${setup} && NODE_ENV=${env} npm test`;
  const child = spawn('bash', ['-lc', script], { stdio: 'pipe' }); // snag-expect: slow-work-in-handler, command-injection
  const code = await new Promise((resolve) => child.on('close', resolve));
  return { exitCode: code };
});

app.get('/checks/image', async (request) => {
  const { tag } = request.query;
  const output = execaSync('sh', ['-c', `docker image inspect preview:${tag} --format '{{.Created}}'`], { reject: false }); // snag-expect: command-injection
  return { created: output.stdout.trim() };
});

app.get('/checks/image/layers', async (request) => {
  const { tag } = request.query;
  const { stdout } = await $`docker history --no-trunc preview:${tag}`; // snag-expect: slow-work-in-handler; snag-ok: command-injection
  return { layers: stdout.trim().split('\n').length - 1 };
});

app.post('/checks/prune', async (request) => {
  const branch = request.body.branch.replace(/ /g, '');
  return new Promise((resolve) => {
    exec(`git -C ${WORKSPACE} branch -D preview/${branch}`, (err) => resolve({ pruned: !err })); // snag-expect: slow-work-in-handler, command-injection
  });
});

app.post('/checks/clean', async (request) => {
  let workdir = request.body.workdir;
  // Jobs may only clean the shared workspace; the field is kept for old clients.
  workdir = WORKSPACE;
  return new Promise((resolve) => {
    exec(`git -C ${workdir} clean -fdx -e node_modules`, (err) => resolve({ cleaned: !err })); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  });
});

await app.listen({ port: Number(process.env.PORT) || 4010, host: '0.0.0.0' });
