// Shared fixtures for the spool specs: real temporary directories (never a mocked fs) and deterministic payloads, so
// a record read back can be checked byte for byte against its id alone.
import { createHash } from 'crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const created: string[] = [];

/** A fresh directory under the OS temp dir, removed by cleanupTempDirs(). */
export function tempDir(label = 'spool'): string {
  const dir = mkdtempSync(join(tmpdir(), `pss-${label}-`));
  created.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** `size` bytes derived from `id` (SHA-256 chain): any corruption or mix-up shows as a mismatch. */
export function payloadFor(id: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash('sha256').update(id).digest();
  for (let at = 0; at < size; at += block.length) {
    block.copy(out, at, 0, Math.min(block.length, size - at));
    block = createHash('sha256').update(block).digest();
  }
  return out;
}

/** Segment files of one class, oldest first. */
export function segmentFiles(dir: string, cls: string): string[] {
  try {
    return readdirSync(join(dir, cls))
      .filter((f) => f.endsWith('.seg'))
      .sort()
      .map((f) => join(dir, cls, f));
  } catch {
    return [];
  }
}

/** Bytes of all segment files (what maxBytes bounds), measured on disk. */
export function segmentBytesOnDisk(dir: string, classes: readonly string[]): number {
  return classes.flatMap((c) => segmentFiles(dir, c)).reduce((n, f) => n + statSync(f).size, 0);
}

/**
 * A copy of a live spool directory, as a process crash at this moment would leave it: what was written is there (the
 * page cache is what a reader sees), files the spool is deleting may or may not be. Skips the lock, which only a live
 * owner holds.
 */
export function crashImage(dir: string): string {
  const copy = tempDir('spool-image');
  const walk = (from: string, to: string): void => {
    for (const entry of readdirSync(from, { withFileTypes: true })) {
      if (entry.name === 'spool.lock') continue;
      if (entry.isDirectory()) {
        mkdirSync(join(to, entry.name));
        walk(join(from, entry.name), join(to, entry.name));
        continue;
      }
      try {
        copyFileSync(join(from, entry.name), join(to, entry.name));
      } catch (error) {
        // Unlinked between the listing and the copy: the image is then of a moment just after the unlink.
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  };
  walk(dir, copy);
  return copy;
}

/**
 * Payload size of record `n` in the SIGKILL spec: mostly small, every 17th 96 KiB, a multi-page write that a kill can
 * interrupt halfway (the kernel checks for fatal signals between pages).
 */
export function crashRecordSize(n: number): number {
  return n % 17 === 0 ? 96 * 1024 : 40 + ((n * 7919) % 1500);
}

export type CrashChildMessage = { type: 'ready' } | { type: 'appended'; id: string } | { type: 'acked'; id: string };
