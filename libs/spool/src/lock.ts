// One writer per spool directory. Two gateway processes appending to the same logs (a restart overlapping the old
// instance, a second copy started by hand) would interleave frames and reuse sequence numbers, so open() takes a lock.
//
// The lock is a file holding the owner's pid. A lock left behind by a killed process must not keep the gateway down
// after a SIGKILL or power cut, so a lock whose pid is not alive is taken over. A lock naming our own pid that this
// process does not hold is stale too: in a container the gateway gets the same pid after every restart.
import { promises as fsp } from 'fs';
import * as path from 'path';
import { errorCode, SpoolLockedError } from './errors';

export const LOCK_FILE = 'spool.lock';

const heldByThisProcess = new Set<string>();

export interface SpoolLock {
  release(): Promise<void>;
}

export async function acquireLock(dir: string): Promise<SpoolLock> {
  const key = await fsp.realpath(dir);
  // Checked and claimed without an await in between, so two open() calls in this process cannot both pass.
  if (heldByThisProcess.has(key)) throw new SpoolLockedError(dir, 'already open in this process');
  heldByThisProcess.add(key);
  const file = path.join(dir, LOCK_FILE);
  try {
    try {
      await fsp.writeFile(file, `${process.pid}\n`, { flag: 'wx' });
    } catch (error) {
      if (errorCode(error) !== 'EEXIST') throw error;
      const owner = Number.parseInt(await fsp.readFile(file, 'utf8').catch(() => ''), 10);
      if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
        throw new SpoolLockedError(dir, `held by running process ${owner}`);
      }
      await fsp.writeFile(file, `${process.pid}\n`);
    }
  } catch (error) {
    heldByThisProcess.delete(key);
    throw error;
  }
  let released = false;
  return {
    release: async () => {
      if (released) return;
      released = true;
      heldByThisProcess.delete(key);
      await fsp.rm(file, { force: true });
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else, which still makes it a live owner.
    return errorCode(error) === 'EPERM';
  }
}
