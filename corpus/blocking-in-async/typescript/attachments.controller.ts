/**
 * Ticket attachments for the support desk. Files are kept on the NFS share
 * mounted at ATTACHMENTS_DIR, one folder per ticket; rows live in Postgres.
 */

import {
  BadRequestException,
  Controller,
  Delete,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  ParseUUIDPipe,
  Post,
  StreamableFile,
  UploadedFile,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { createReadStream, existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { TenantGuard } from '../auth/tenant.guard';
import { AttachmentsRepository } from './attachments.repository';

const ATTACHMENTS_DIR = process.env.ATTACHMENTS_DIR ?? '/mnt/attachments';
const LIMITS: { maxBytes: number; allowed: string[] } = JSON.parse(
  readFileSync(join(__dirname, 'attachment-limits.json'), 'utf8'), // snag-ok: blocking-in-async
);

function fileOnDisk(ticketId: string, attachmentId: string): string {
  return join(ATTACHMENTS_DIR, ticketId, attachmentId);
}

@Controller('tickets/:ticketId/attachments')
@UseGuards(TenantGuard)
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsRepository) {}

  @Post()
  @UseInterceptors(FileInterceptor('file'))
  async upload(
    @Param('ticketId', ParseUUIDPipe) ticketId: string,
    @UploadedFile() file: Express.Multer.File,
  ): Promise<{ id: string }> {
    if (file.size > LIMITS.maxBytes || !LIMITS.allowed.includes(file.mimetype)) {
      throw new BadRequestException('attachment type or size not allowed');
    }
    const id = randomUUID();
    writeFileSync(fileOnDisk(ticketId, id), file.buffer); // snag-expect: blocking-in-async
    await this.attachments.insert({ id, ticketId, name: file.originalname, mimeType: file.mimetype, size: file.size });
    return { id };
  }

  @Post('bulk')
  @UseInterceptors(FileInterceptor('archive'))
  async uploadArchive(
    @Param('ticketId', ParseUUIDPipe) ticketId: string,
    @UploadedFile() file: Express.Multer.File,
  ): Promise<{ id: string }> {
    const id = randomUUID();
    await writeFile(fileOnDisk(ticketId, id), file.buffer); // snag-ok: blocking-in-async
    await this.attachments.insert({ id, ticketId, name: file.originalname, mimeType: file.mimetype, size: file.size });
    return { id };
  }

  @Get(':id')
  async download(@Param('ticketId') ticketId: string, @Param('id', ParseUUIDPipe) id: string): Promise<StreamableFile> {
    const meta = await this.attachments.findOne(ticketId, id);
    if (!meta) {
      throw new NotFoundException();
    }
    const size = (await stat(fileOnDisk(ticketId, id))).size;
    return new StreamableFile(createReadStream(fileOnDisk(ticketId, id)), { // snag-ok: blocking-in-async
      type: meta.mimeType,
      disposition: `attachment; filename="${encodeURIComponent(meta.name)}"`,
      length: size,
    });
  }

  @Get(':id/text')
  previewText(@Param('ticketId') ticketId: string, @Param('id', ParseUUIDPipe) id: string): string {
    const path = fileOnDisk(ticketId, id);
    if (!existsSync(path)) { // snag-expect: blocking-in-async
      throw new NotFoundException();
    }
    return readFileSync(path, 'utf8').slice(0, 64 * 1024); // snag-expect: blocking-in-async
  }

  @Get(':id/head')
  async previewHead(@Param('ticketId') ticketId: string, @Param('id', ParseUUIDPipe) id: string): Promise<string> {
    const text = await readFile(fileOnDisk(ticketId, id), 'utf8'); // snag-ok: blocking-in-async
    return text.slice(0, 4 * 1024);
  }

  @Delete(':id')
  @HttpCode(204)
  async remove(@Param('ticketId') ticketId: string, @Param('id', ParseUUIDPipe) id: string): Promise<void> {
    const deleted = await this.attachments.delete(ticketId, id);
    if (!deleted) {
      throw new NotFoundException();
    }
    unlinkSync(fileOnDisk(ticketId, id)); // snag-expect: blocking-in-async
  }
}
