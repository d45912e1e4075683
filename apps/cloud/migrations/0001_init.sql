-- The cloud service's schema (docs/cloud-persistence.md explains every constraint).
--
-- Multi-tenant: every table carries `tenant`, and every foreign key includes it, so a row can only ever point at
-- rows of its own tenant. Times the protocol carries (firings, windows, work order intervals) and the times the
-- service stamps are epoch milliseconds (bigint), as in @pss/protocol: one representation from the edge to here.
--
-- Exactly-once is the constraints' job, not timing's. The chain from a firing to its work orders:
--   trigger_events  PRIMARY KEY (tenant, event_id)            a redelivered event is stored once
--                   UNIQUE (tenant, asset, trigger) while open one open service per asset and trigger
--   batches         one 'collecting' batch per tenant; claimed by one instance (state guard + row lock)
--   configuration_runs UNIQUE (tenant, batch_id)              a batch is solved into one run
--   trigger_events  planned_run, FK to the run of its batch    an event is planned by one run, of its own batch
--   work_orders     FK (tenant, event_id, run_id) → the event's planned_run, UNIQUE (run, event, activity, occurrence)
--                                                               its orders come from that run, each once

CREATE TABLE models (
  tenant      text    NOT NULL CHECK (tenant <> ''),
  id          text    NOT NULL CHECK (id <> ''),
  version     integer NOT NULL CHECK (version >= 1),
  name        text    NOT NULL,
  kind        text    NOT NULL CHECK (kind IN ('model', 'pes-problem', 'problem')),
  document    jsonb   NOT NULL CHECK (jsonb_typeof(document) = 'object'),
  created_at  bigint  NOT NULL,
  -- Versions are immutable: a change is a new row, so runs and assets keep pointing at what they were made from.
  PRIMARY KEY (tenant, id, version),
  -- Target of assets' foreign key, which also pins the kind.
  UNIQUE (tenant, id, version, kind)
);

CREATE TABLE assets (
  tenant            text    NOT NULL CHECK (tenant <> ''),
  id                text    NOT NULL CHECK (id <> ''),
  model_id          text    NOT NULL,
  model_version     integer NOT NULL,
  -- Always 'model': with the foreign key below, an asset can only be an instance of a PSS model, not of a problem.
  model_kind        text    NOT NULL DEFAULT 'model' CHECK (model_kind = 'model'),
  gateway           text    NOT NULL,
  -- The triggers the customer's contract covers; NULL: every trigger of the model.
  contract_triggers text[]  NULL CHECK (contract_triggers IS NULL OR array_position(contract_triggers, NULL) IS NULL),
  created_at        bigint  NOT NULL,
  PRIMARY KEY (tenant, id),
  FOREIGN KEY (tenant, model_id, model_version, model_kind) REFERENCES models (tenant, id, version, kind)
);
CREATE INDEX assets_by_gateway ON assets (tenant, gateway);

CREATE TABLE batches (
  tenant      text   NOT NULL CHECK (tenant <> ''),
  id          uuid   NOT NULL DEFAULT gen_random_uuid(),
  created_at  bigint NOT NULL,
  state       text   NOT NULL DEFAULT 'collecting' CHECK (state IN ('collecting', 'solving', 'solved', 'failed')),
  claimed_by  text   NULL,
  claimed_at  bigint NULL,
  -- Claims so far: > 1 when a claim expired (its instance died) and another instance took the batch over.
  attempts    integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  finished_at bigint NULL,
  error       text   NULL,
  PRIMARY KEY (tenant, id),
  CHECK (state = 'collecting' OR (claimed_by IS NOT NULL AND claimed_at IS NOT NULL)),
  CHECK ((state IN ('solved', 'failed')) = (finished_at IS NOT NULL)),
  CHECK (state <> 'failed' OR error IS NOT NULL)
);
-- At most one batch collects events per tenant: concurrent instances attach to the same one, never fork it.
CREATE UNIQUE INDEX batches_one_collecting ON batches (tenant) WHERE state = 'collecting';
CREATE INDEX batches_claimable ON batches (state, created_at) WHERE state IN ('collecting', 'solving');

CREATE TABLE configuration_runs (
  tenant       text    NOT NULL CHECK (tenant <> ''),
  id           uuid    NOT NULL DEFAULT gen_random_uuid(),
  batch_id     uuid    NOT NULL,
  problem      jsonb   NOT NULL,
  algorithm    text    NOT NULL,
  front        jsonb   NULL,
  stats        jsonb   NULL,
  chosen_index integer NULL CHECK (chosen_index >= 0),
  policy       text    NULL,
  explanation  jsonb   NULL,
  state        text    NOT NULL CHECK (state IN ('solved', 'approved', 'failed')),
  error        text    NULL,
  created_at   bigint  NOT NULL,
  approved_by  text    NULL,
  approved_at  bigint  NULL,
  PRIMARY KEY (tenant, id),
  -- One run per batch: two instances that both solved a batch (an expired claim) cannot both save.
  UNIQUE (tenant, batch_id),
  -- Target of trigger_events' foreign key: an event is planned by the run of its own batch.
  UNIQUE (tenant, batch_id, id),
  FOREIGN KEY (tenant, batch_id) REFERENCES batches (tenant, id),
  CHECK (state <> 'failed' OR error IS NOT NULL),
  CHECK (state = 'failed' OR front IS NOT NULL),
  CHECK ((state = 'approved') = (approved_by IS NOT NULL AND approved_at IS NOT NULL)),
  CHECK (state <> 'approved' OR chosen_index IS NOT NULL)
);

CREATE TABLE trigger_events (
  tenant        text   NOT NULL CHECK (tenant <> ''),
  event_id      text   NOT NULL CHECK (event_id <> ''),
  gateway       text   NOT NULL,
  asset         text   NOT NULL,
  trigger       text   NOT NULL,
  fired_at      bigint NOT NULL CHECK (fired_at >= 0),
  window_start  bigint NOT NULL,
  deadline      bigint NOT NULL,
  event_values  jsonb  NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(event_values) = 'object'),
  window_values jsonb  NULL CHECK (window_values IS NULL OR jsonb_typeof(window_values) = 'object'),
  source        text   NOT NULL CHECK (source IN ('edge', 'manual')),
  state         text   NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'planned', 'closed')),
  batch_id      uuid   NULL,
  planned_run   uuid   NULL,
  received_at   bigint NOT NULL,
  closed_at     bigint NULL,
  -- Insert-or-ignore de-duplication of at-least-once delivery (MQTT QoS 1, spool replays).
  PRIMARY KEY (tenant, event_id),
  -- Target of work_orders' foreign key: a work order names the run that planned its event.
  UNIQUE (tenant, event_id, planned_run),
  FOREIGN KEY (tenant, batch_id) REFERENCES batches (tenant, id),
  -- MATCH SIMPLE would skip this check with batch_id NULL: the CHECK below rules that case out.
  FOREIGN KEY (tenant, batch_id, planned_run) REFERENCES configuration_runs (tenant, batch_id, id),
  CHECK (planned_run IS NULL OR batch_id IS NOT NULL),
  CHECK (window_start <= deadline),
  CHECK (state <> 'planned' OR planned_run IS NOT NULL),
  CHECK ((state = 'closed') = (closed_at IS NOT NULL))
);
-- The edge latches a trigger until its service is closed (MODEL.md section 6): one open service per asset and
-- trigger, which is also what a ConfigurationProblem requires (no asset twice with the same trigger).
CREATE UNIQUE INDEX trigger_events_one_open ON trigger_events (tenant, asset, trigger) WHERE state <> 'closed';
CREATE INDEX trigger_events_unbatched ON trigger_events (tenant, received_at) WHERE batch_id IS NULL AND state = 'open';
CREATE INDEX trigger_events_by_batch ON trigger_events (tenant, batch_id) WHERE batch_id IS NOT NULL;

CREATE TABLE work_orders (
  tenant      text    NOT NULL CHECK (tenant <> ''),
  id          text    NOT NULL DEFAULT gen_random_uuid()::text,
  run_id      uuid    NOT NULL,
  event_id    text    NOT NULL,
  model_id    text    NOT NULL,
  asset       text    NOT NULL,
  trigger     text    NOT NULL,
  activity    text    NOT NULL,
  occurrence  integer NOT NULL DEFAULT 0 CHECK (occurrence >= 0),
  start_at    bigint  NOT NULL,
  end_at      bigint  NOT NULL,
  resources   text[]  NOT NULL DEFAULT '{}' CHECK (array_position(resources, NULL) IS NULL),
  state       text    NOT NULL DEFAULT 'planned'
              CHECK (state IN ('planned', 'dispatched', 'accepted', 'in_progress', 'done', 'failed', 'cancelled')),
  -- 0 while planned; +1 on every transition, so dispatch is version 1 as the protocol's work order messages say.
  version     integer NOT NULL DEFAULT 0 CHECK (version >= 0),
  note        text    NULL,
  created_at  bigint  NOT NULL,
  updated_at  bigint  NOT NULL,
  started_at  bigint  NULL,
  finished_at bigint  NULL,
  PRIMARY KEY (tenant, id),
  -- Re-running the dispatch of a run creates nothing twice.
  UNIQUE (tenant, run_id, event_id, activity, occurrence),
  FOREIGN KEY (tenant, run_id) REFERENCES configuration_runs (tenant, id),
  -- Only the run that planned the event may create its work orders.
  FOREIGN KEY (tenant, event_id, run_id) REFERENCES trigger_events (tenant, event_id, planned_run),
  CHECK (end_at >= start_at),
  CHECK ((state IN ('done', 'failed', 'cancelled')) = (finished_at IS NOT NULL)),
  CHECK (state = 'planned' OR version >= 1)
);
CREATE INDEX work_orders_by_event ON work_orders (tenant, event_id);
CREATE INDEX work_orders_active ON work_orders (tenant, state) WHERE state NOT IN ('done', 'failed', 'cancelled');
CREATE INDEX work_orders_by_resource ON work_orders USING gin (resources);

CREATE TABLE work_order_history (
  tenant      text    NOT NULL,
  work_order  text    NOT NULL,
  version     integer NOT NULL,
  from_state  text    NULL,
  to_state    text    NOT NULL,
  actor       text    NOT NULL,
  at          bigint  NOT NULL,
  note        text    NULL,
  -- One entry per version: the optimistic update lets one writer move a version forward, this proves it.
  PRIMARY KEY (tenant, work_order, version),
  FOREIGN KEY (tenant, work_order) REFERENCES work_orders (tenant, id) ON DELETE CASCADE
);

-- The closed loop's feedback (seed 004): counts from finished work orders.
-- r_a (activity reliability) = completed in time / executed; see docs/cloud-persistence.md.
CREATE TABLE activity_records (
  tenant            text    NOT NULL,
  model_id          text    NOT NULL,
  activity          text    NOT NULL,
  completed         integer NOT NULL DEFAULT 0 CHECK (completed >= 0),
  completed_in_time integer NOT NULL DEFAULT 0 CHECK (completed_in_time >= 0),
  failed            integer NOT NULL DEFAULT 0 CHECK (failed >= 0),
  -- Sum of the executed durations (finished - started) of the completed orders, in ms: the observed t_a.
  total_duration    bigint  NOT NULL DEFAULT 0 CHECK (total_duration >= 0),
  PRIMARY KEY (tenant, model_id, activity),
  CHECK (completed_in_time <= completed)
);

-- theta of a personnel resource for an activity = in time / total of its row; an equipment resource's theta is
-- the same for every activity: the sums over its rows (seed 004).
CREATE TABLE resource_records (
  tenant    text    NOT NULL,
  model_id  text    NOT NULL,
  resource  text    NOT NULL,
  activity  text    NOT NULL,
  in_time   integer NOT NULL DEFAULT 0 CHECK (in_time >= 0),
  total     integer NOT NULL DEFAULT 0 CHECK (total >= 0),
  PRIMARY KEY (tenant, model_id, resource, activity),
  CHECK (in_time <= total)
);

-- Close commands the cloud owes a gateway until it acknowledges them (at-least-once, re-sent on reconnect).
CREATE TABLE pending_closes (
  tenant    text   NOT NULL,
  gateway   text   NOT NULL,
  event_id  text   NOT NULL,
  asset     text   NOT NULL,
  trigger   text   NOT NULL,
  closed_at bigint NOT NULL,
  acked_at  bigint NULL,
  PRIMARY KEY (tenant, event_id),
  FOREIGN KEY (tenant, event_id) REFERENCES trigger_events (tenant, event_id)
);
CREATE INDEX pending_closes_unacked ON pending_closes (tenant, gateway) WHERE acked_at IS NULL;

CREATE TABLE gateways (
  tenant      text    NOT NULL CHECK (tenant <> ''),
  id          text    NOT NULL CHECK (id <> ''),
  state       text    NOT NULL CHECK (state IN ('online', 'offline')),
  -- The MQTT connection the state belongs to: a last will applies only to its own session.
  session     text    NOT NULL,
  -- Gateway software version.
  version     text    NOT NULL,
  started_at  bigint  NOT NULL,
  -- The `time` of the status message applied last: an older birth never overwrites a newer one.
  status_time bigint  NOT NULL,
  reason      text    NULL CHECK (reason IS NULL OR reason IN ('shutdown', 'connection-lost')),
  last_seen   bigint  NOT NULL,
  spool_depth integer NULL CHECK (spool_depth >= 0),
  PRIMARY KEY (tenant, id)
);

CREATE TABLE api_keys (
  tenant     text   NOT NULL CHECK (tenant <> ''),
  id         uuid   NOT NULL DEFAULT gen_random_uuid(),
  name       text   NOT NULL,
  role       text   NOT NULL CHECK (role IN ('viewer', 'planner', 'admin', 'technician', 'gateway')),
  -- sha256 of the secret, lowercase hex: the secret itself is shown once and never stored.
  key_hash   text   NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
  -- The resource a technician acts as (work orders on its topic); only technicians have one.
  resource   text   NULL,
  created_at bigint NOT NULL,
  revoked_at bigint NULL,
  PRIMARY KEY (tenant, id),
  CHECK ((role = 'technician') = (resource IS NOT NULL))
);
