// A pool worker: solves what it is sent and answers with the front (or the error, by name).
import { parentPort } from 'worker_threads';
import { solveProblem } from '@pss/optimizer';
import { SolveTask, WorkerReply } from './messages';

const port = parentPort;
if (!port) throw new Error('optimizer worker started outside a worker thread');

port.on('message', (task: SolveTask) => {
  const reply = (message: WorkerReply) => port.postMessage(message);
  try {
    let last = 0;
    const front = solveProblem(task.problem, {
      ...task.request,
      onProgress: (progress) => {
        const now = Date.now();
        if (now - last < 250) return;
        last = now;
        reply({ type: 'progress', id: task.id, progress });
      },
    });
    reply({ type: 'front', id: task.id, front });
  } catch (error) {
    const e = error instanceof Error ? error : new Error(String(error));
    reply({ type: 'error', id: task.id, error: { name: e.name, message: e.message } });
  }
});
