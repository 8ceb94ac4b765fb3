'use server';

// app/admin/sites/actions.ts — server actions behind the "Sites" admin page
import { spawn } from 'node:child_process';
import { $, execa, execaCommand } from 'execa';
import { revalidatePath } from 'next/cache';
import { requireAdmin } from '@/lib/auth';

const SITES_DIR = '/srv/sites';
const TEMPLATE_REPO = 'https://git.internal.example.com/web/site-template.git';

export async function buildSite(formData: FormData) {
  await requireAdmin();
  const site = String(formData.get('site') ?? '');
  await execa(`npm run build --workspace=sites/${site}`, { shell: true, cwd: SITES_DIR }); // snag-expect: slow-work-in-handler, command-injection
  revalidatePath('/admin/sites');
}

export async function installPackage(formData: FormData) {
  await requireAdmin();
  const pkg = String(formData.get('package') ?? '');
  await execa('npm', ['install', '--save-exact', pkg], { cwd: SITES_DIR }); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  revalidatePath('/admin/sites');
}

export async function cloneFromRepo(formData: FormData) {
  await requireAdmin();
  const repoUrl = String(formData.get('repoUrl') ?? TEMPLATE_REPO);
  // No shell here, but execaCommand splits the string on spaces: the submitted URL
  // can add options of its own (git clone --upload-pack=...).
  await execaCommand(`git clone --depth 1 ${repoUrl} ${SITES_DIR}/incoming`); // snag-expect: slow-work-in-handler, command-injection
  revalidatePath('/admin/sites');
}

export async function cloneTemplate() {
  await requireAdmin();
  await execaCommand(`git clone --depth 1 ${TEMPLATE_REPO} ${SITES_DIR}/incoming`); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  revalidatePath('/admin/sites');
}

export async function checkoutBranch(formData: FormData) {
  await requireAdmin();
  const branch = String(formData.get('branch') ?? 'main');
  await $({ cwd: `${SITES_DIR}/incoming` })`git checkout ${branch}`; // snag-expect: slow-work-in-handler; snag-ok: command-injection
  revalidatePath('/admin/sites');
}

export async function formatFile(formData: FormData) {
  await requireAdmin();
  const file = String(formData.get('file') ?? '');
  await new Promise<void>((resolve, reject) => {
    const child = spawn('npx', ['prettier', '--write', file], { shell: true, cwd: SITES_DIR }); // snag-expect: slow-work-in-handler, command-injection
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
}

export async function purgeCache(formData: FormData) {
  await requireAdmin();
  const site = formData.get('site') as string;
  await new Promise<void>((resolve) => {
    spawn('sh', ['-c', `rm -rf ${SITES_DIR}/${site}/.next/cache && echo purged`], { stdio: 'inherit' }).on('exit', () => resolve()); // snag-expect: slow-work-in-handler, command-injection
  });
  revalidatePath('/admin/sites');
}

export async function rebuildAll() {
  await requireAdmin();
  await execa('npm run build --workspaces --if-present && npm run sitemap', { shell: true, cwd: SITES_DIR }); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  revalidatePath('/admin/sites');
}
