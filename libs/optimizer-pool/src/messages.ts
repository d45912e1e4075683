// What the pool and its workers say to each other (structured-clone safe: no functions).
import { ConfigurationProblem, ParetoFront, PesProblem } from '@pss/model';
import { Progress, SolveRequest } from '@pss/optimizer';

export type WorkerRequest = Omit<SolveRequest, 'onProgress' | 'now'>;

export interface SolveTask {
  type: 'solve';
  id: number;
  problem: ConfigurationProblem | PesProblem;
  request: WorkerRequest;
}

export type WorkerReply =
  | { type: 'front'; id: number; front: ParetoFront }
  | { type: 'progress'; id: number; progress: Progress }
  | { type: 'error'; id: number; error: { name: string; message: string } };
