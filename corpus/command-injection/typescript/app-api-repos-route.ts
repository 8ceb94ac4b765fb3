// app/api/repos/[name]/route.ts — mirror management for the internal git host
import { exec, execFileSync, execSync } from 'node:child_process';
import { NextRequest, NextResponse } from 'next/server';

const MIRROR_ROOT = '/srv/git/mirrors';
const PROTECTED_BRANCHES = new Set(['main', 'master', 'release']);
const GC_MODES = ['auto', 'aggressive', 'prune-now'] as const;

type Ctx = { params: { name: string } };

function mirrorDir(name: string): string {
  return `${MIRROR_ROOT}/${name}.git`;
}

export async function GET(request: NextRequest, { params }: Ctx) {
  const ref = request.nextUrl.searchParams.get('ref') ?? 'HEAD';
  const log = execSync(`git -C ${mirrorDir(params.name)} log --oneline -n 50 ${ref}`, { encoding: 'utf8' }); // snag-expect: slow-work-in-handler, command-injection, blocking-in-async
  const files = execFileSync('git', ['-C', mirrorDir(params.name), 'ls-tree', '--name-only', ref], { encoding: 'utf8' }); // snag-expect: slow-work-in-handler, blocking-in-async; snag-ok: command-injection
  return NextResponse.json({ commits: log.trim().split('\n'), files: files.trim().split('\n') });
}

export async function POST(request: NextRequest, { params }: Ctx) {
  const body = (await request.json()) as { branch?: string; from?: string };
  if (!body.branch) {
    return NextResponse.json({ error: 'branch is required' }, { status: 400 });
  }
  const created = await new Promise<boolean>((resolve) => {
    exec(`git -C ${mirrorDir(params.name)} branch ${body.branch} ${body.from ?? 'HEAD'}`, (err) => resolve(!err)); // snag-expect: slow-work-in-handler, command-injection
  });
  return NextResponse.json({ created }, { status: created ? 201 : 409 });
}

export async function DELETE(request: NextRequest, { params }: Ctx) {
  const branch = request.nextUrl.searchParams.get('branch');
  if (!branch || PROTECTED_BRANCHES.has(branch)) {
    return NextResponse.json({ error: 'refusing to delete this branch' }, { status: 400 });
  }
  execSync(`git -C ${MIRROR_ROOT}/${params.name}.git branch -D ${branch}`); // snag-expect: slow-work-in-handler, command-injection, blocking-in-async
  return new NextResponse(null, { status: 204 });
}

export async function PATCH(request: NextRequest) {
  const { mode } = (await request.json()) as { mode: (typeof GC_MODES)[number] };
  if (!GC_MODES.includes(mode)) {
    return NextResponse.json({ error: `mode must be one of ${GC_MODES.join(', ')}` }, { status: 400 });
  }
  const flag = mode === 'auto' ? '--auto' : mode === 'aggressive' ? '--aggressive' : '--prune=now';
  execSync(`git -C ${MIRROR_ROOT}/shared.git gc ${flag}`, { stdio: 'ignore' }); // snag-expect: slow-work-in-handler, blocking-in-async; snag-ok: command-injection
  execSync(`du -sh ${MIRROR_ROOT}/shared.git > ${MIRROR_ROOT}/.shared-size`); // snag-expect: slow-work-in-handler, blocking-in-async; snag-ok: command-injection
  return NextResponse.json({ ok: true });
}
