-- Trigger events the cloud stores but cannot plan (docs/cloud-pipeline.md, "Events that cannot be planned").
--
-- An event is never dropped: an event for an asset that is not registered, for a trigger its model does not have,
-- or that the asset's contract does not cover is stored, acknowledged to its gateway, and parked in the state
-- 'unplanned' with the reason in `issue`, where the API shows it. Parked events are not batched (batching takes
-- state 'open' only) but still hold the one-open-service-per-asset-and-trigger index (state <> 'closed'), as the
-- edge still holds its latch. A planner either re-plans the event (back to 'open', once the asset is registered)
-- or closes it (which unlatches the edge).

ALTER TABLE trigger_events ADD COLUMN issue text NULL;

ALTER TABLE trigger_events DROP CONSTRAINT trigger_events_state_check;
ALTER TABLE trigger_events ADD CONSTRAINT trigger_events_state_check
  CHECK (state IN ('open', 'planned', 'closed', 'unplanned'));

-- A parked event says why, and no run plans it.
ALTER TABLE trigger_events ADD CONSTRAINT trigger_events_unplanned_issue
  CHECK (state <> 'unplanned' OR (issue IS NOT NULL AND planned_run IS NULL));

CREATE INDEX trigger_events_unplanned ON trigger_events (tenant, received_at) WHERE state = 'unplanned';
