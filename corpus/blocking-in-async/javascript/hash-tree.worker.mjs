// Worker thread for the site build worker: hashes a build output directory
// so unchanged deploys can be skipped. Runs off the main event loop, started
// with `new Worker(new URL('./hash-tree.worker.mjs', import.meta.url), { workerData: { dir } })`.
//
// The digest is a SHA-256 over "<relative path>\0<file sha256>\n" lines in
// path order, so it only changes when a file's bytes or name change.

import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

const IGNORED = new Set(['.DS_Store', 'Thumbs.db']);
const MAX_FILE_BYTES = 512 * 1024 * 1024;

function listFiles(root) {
  const files = [];
  const pending = [''];
  while (pending.length > 0) {
    const relative = pending.pop();
    const entries = readdirSync(path.join(root, relative), { withFileTypes: true }); // snag-ok: blocking-in-async
    for (const entry of entries) {
      if (IGNORED.has(entry.name)) {
        continue;
      }
      const child = path.posix.join(relative, entry.name);
      if (entry.isDirectory()) {
        pending.push(child);
      } else {
        files.push(child);
      }
    }
  }
  return files.sort();
}

function fileDigest(root, relative) {
  const absolute = path.join(root, relative);
  const stats = lstatSync(absolute); // snag-ok: blocking-in-async
  if (stats.isSymbolicLink()) {
    return createHash('sha256').update(`link:${readlinkSync(absolute)}`).digest('hex'); // snag-ok: blocking-in-async
  }
  if (stats.size > MAX_FILE_BYTES) {
    throw new Error(`${relative} is larger than the 512 MiB deploy limit`);
  }
  return createHash('sha256').update(readFileSync(absolute)).digest('hex'); // snag-ok: blocking-in-async
}

function treeDigest(root) {
  const tree = createHash('sha256');
  let count = 0;
  for (const relative of listFiles(root)) {
    tree.update(`${relative}\0${fileDigest(root, relative)}\n`);
    count += 1;
  }
  return { digest: tree.digest('hex'), files: count };
}

try {
  parentPort.postMessage(treeDigest(workerData.dir));
} catch (err) {
  // Rethrowing surfaces as the 'error' event on the parent's Worker.
  throw err instanceof Error ? err : new Error(String(err));
}
