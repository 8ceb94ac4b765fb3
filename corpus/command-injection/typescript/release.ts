#!/usr/bin/env tsx
// scripts/release.ts — bump, tag and publish a release of the web app.
// CI runs it on the release workflow: PR_TITLE and GITHUB_HEAD_REF come from the pull request.
import { execSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { $ } from 'zx';

const ENVIRONMENTS = { staging: 'web-staging', production: 'web-prod' } as const;
type Env = keyof typeof ENVIRONMENTS;

const { values } = parseArgs({
  options: {
    env: { type: 'string', default: 'staging' },
    version: { type: 'string' },
    notes: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});

function run(cmd: string): void {
  console.log(`$ ${cmd}`);
  if (!values['dry-run']) {
    execSync(cmd, { stdio: 'inherit' }); // snag-ok: command-injection
  }
}

function currentVersion(): string {
  return JSON.parse(readFileSync('package.json', 'utf8')).version;
}

function tagRelease(version: string, message: string): void {
  execSync(`git tag -a v${version} -m "${message}"`, { stdio: 'inherit' }); // snag-expect: command-injection
}

async function main(): Promise<void> {
  const env = (values.env ?? 'staging') as Env;
  const app = ENVIRONMENTS[env];
  if (!app) {
    throw new Error(`unknown environment ${values.env}`);
  }

  run('npm ci');
  run('npm run lint && npm test -- --ci');

  const version = values.version ?? currentVersion();
  execSync(`npm version ${version} --no-git-tag-version --allow-same-version`, { stdio: 'inherit' }); // snag-expect: command-injection

  const title = process.env.PR_TITLE ?? 'release';
  execSync(`git commit -am "chore(release): ${title}"`, { stdio: 'inherit' }); // snag-expect: command-injection
  tagRelease(version, values.notes ?? `release ${version}`);

  spawnSync('git', ['push', 'origin', `v${version}`, process.env.GITHUB_HEAD_REF ?? 'main'], { stdio: 'inherit' }); // snag-ok: command-injection
  await $`git push --follow-tags origin ${process.env.GITHUB_HEAD_REF ?? 'main'}`; // snag-ok: command-injection

  const buildNumber = Number.parseInt(process.env.BUILD_NUMBER ?? '0', 10);
  run(`docker build -t registry.internal.example.com/${app}:${buildNumber} .`);
  run(`fly deploy --app ${app} --image registry.internal.example.com/${app}:${buildNumber}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
