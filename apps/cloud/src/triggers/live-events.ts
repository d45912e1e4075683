// The in-process bus the dashboard's live stream (SSE) reads: every change the pipeline makes, as typed events.
// Delivery is best effort and in-process only: a client that reconnects reads the current state over the API and
// then follows the stream. Listeners never slow the pipeline down (a Subject delivers synchronously, so a
// listener that needs to do I/O must hand the event off).
import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Observable, Subject, filter } from 'rxjs';
import type { Gateway, WorkOrder } from '../persistence';
import type { TriggerEventView } from './trigger-store';

export type TriggerAction = 'received' | 'duplicate' | 'deferred' | 'unplanned' | 'replanned' | 'planned' | 'closed';
export type RunAction = 'solved' | 'failed' | 'approved';
export type WorkOrderAction = 'created' | 'dispatched' | 'progress' | 'cancelled' | 'resent';

export interface RunSummary {
  id: string;
  batchId: string;
  state: 'solved' | 'approved' | 'failed';
  policy: string | null;
  chosenIndex: number | null;
  solutions: number;
  events: number;
  error: string | null;
  createdAt: number;
}

export type LiveEvent =
  | { type: 'trigger'; tenant: string; action: TriggerAction; event: TriggerEventView; at: number }
  | { type: 'run'; tenant: string; action: RunAction; run: RunSummary; at: number }
  | { type: 'work-order'; tenant: string; action: WorkOrderAction; order: WorkOrder; at: number }
  | { type: 'gateway-status'; tenant: string; gateway: Gateway; applied: boolean; at: number };

export type LiveEventType = LiveEvent['type'];

@Injectable()
export class LiveEvents implements OnModuleDestroy {
  private readonly subject = new Subject<LiveEvent>();

  /** Every event of every tenant. */
  readonly all$: Observable<LiveEvent> = this.subject.asObservable();

  publish(event: LiveEvent): void {
    this.subject.next(event);
  }

  /** One tenant's events, optionally of some types only. */
  stream(tenant: string, types?: readonly LiveEventType[]): Observable<LiveEvent> {
    return this.all$.pipe(filter((e) => e.tenant === tenant && (types === undefined || types.includes(e.type))));
  }

  onModuleDestroy(): void {
    this.subject.complete();
  }
}
