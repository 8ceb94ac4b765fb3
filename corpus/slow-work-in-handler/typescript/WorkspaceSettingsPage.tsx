// app/(app)/settings/workspace/page.tsx
//
// Workspace settings: name and logo, members and invitations, data export.
// Server actions are defined inline; the `exports` queue is drained by the
// worker service (apps/worker).
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import sharp from 'sharp';
import nodemailer from 'nodemailer';
import { Queue } from 'bullmq';
import { put } from '@vercel/blob';
import { getSession } from '@/lib/session';
import { prisma } from '@/lib/prisma';
import { InviteForm } from './invite-form';
import { LogoForm } from './logo-form';

const mailer = nodemailer.createTransport({
  host: process.env.SMTP_HOST,
  port: Number(process.env.SMTP_PORT ?? 587),
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASS },
});
const exportsQueue = new Queue('exports', { connection: { url: process.env.REDIS_URL } });

async function inviteMember(formData: FormData) {
  'use server';
  const session = await getSession();
  const email = String(formData.get('email')).trim().toLowerCase();
  const invite = await prisma.invite.create({ data: { email, workspaceId: session.workspaceId, role: 'member' } });
  const url = `${process.env.APP_URL}/invites/${invite.token}`;
  await mailer.sendMail({ // snag-expect: slow-work-in-handler
    from: 'Northwind <team@northwind.so>',
    to: email,
    subject: `${session.user.name} invited you to ${session.workspaceName}`,
    text: `Join ${session.workspaceName} on Northwind: ${url}`,
  });
  revalidatePath('/settings/workspace');
}

async function uploadLogo(formData: FormData) {
  'use server';
  const session = await getSession();
  const file = formData.get('logo') as File;
  const input = Buffer.from(await file.arrayBuffer());
  const logo = await sharp(input) // snag-expect: slow-work-in-handler
    .resize(512, 512, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png()
    .toBuffer();
  const blob = await put(`logos/${session.workspaceId}.png`, logo, { access: 'public', addRandomSuffix: true });
  await prisma.workspace.update({ where: { id: session.workspaceId }, data: { logoUrl: blob.url } });
  revalidatePath('/settings/workspace');
}

async function renameWorkspace(formData: FormData) {
  'use server';
  const session = await getSession();
  const name = String(formData.get('name')).trim().slice(0, 80);
  await prisma.workspace.update({ where: { id: session.workspaceId }, data: { name } });
  revalidatePath('/settings/workspace');
}

async function requestExport() {
  'use server';
  const session = await getSession();
  await exportsQueue.add('workspace-export', { workspaceId: session.workspaceId, requestedBy: session.user.id }); // snag-ok: slow-work-in-handler
  redirect('/settings/workspace?export=queued');
}

export default async function WorkspaceSettingsPage() {
  const session = await getSession();
  const workspace = await prisma.workspace.findUniqueOrThrow({
    where: { id: session.workspaceId },
    select: { name: true, logoUrl: true, members: { select: { id: true, name: true, email: true, role: true } } },
  });
  return (
    <div className="space-y-10">
      <section>
        <h2 className="text-lg font-semibold">Workspace</h2>
        <form action={renameWorkspace} className="flex gap-2">
          <input name="name" defaultValue={workspace.name} className="input" />
          <button className="btn">Save</button>
        </form>
        <LogoForm action={uploadLogo} current={workspace.logoUrl} />
      </section>
      <section>
        <h2 className="text-lg font-semibold">Members</h2>
        <ul className="divide-y">
          {workspace.members.map((member) => (
            <li key={member.id} className="py-2">
              {member.name} <span className="text-muted-foreground">{member.email}</span> · {member.role}
            </li>
          ))}
        </ul>
        <InviteForm action={inviteMember} />
      </section>
      <section>
        <h2 className="text-lg font-semibold">Export</h2>
        <form action={requestExport}>
          <button className="btn-secondary">E-mail me a full export</button>
        </form>
      </section>
    </div>
  );
}
