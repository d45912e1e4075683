-- Contract-time configuration of product-extension service packages (seed 003): a planner submits a PesProblem
-- (inline, or a stored one by id) and the cloud stores the Pareto front it found, so that the offer made to a
-- customer can be traced to the front and the problem it came from.

CREATE TABLE contracts (
  tenant          text    NOT NULL CHECK (tenant <> ''),
  id              uuid    NOT NULL DEFAULT gen_random_uuid(),
  name            text    NOT NULL,
  -- The stored problem it was configured from (models.kind = 'pes-problem'), or NULL for an inline problem.
  problem_id      text    NULL,
  problem_version integer NULL,
  problem_kind    text    NULL CHECK (problem_kind IS NULL OR problem_kind = 'pes-problem'),
  -- The problem document as solved: kept even when it came from the models table, so the row reads on its own.
  problem         jsonb   NOT NULL CHECK (jsonb_typeof(problem) = 'object'),
  algorithm       text    NOT NULL,
  front           jsonb   NOT NULL CHECK (jsonb_typeof(front) = 'object'),
  -- Where each published scheme of the problem stands against the front (on it, dominated, infeasible).
  schemes         jsonb   NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(schemes) = 'array'),
  created_by      text    NOT NULL,
  created_at      bigint  NOT NULL,
  PRIMARY KEY (tenant, id),
  CHECK ((problem_id IS NULL) = (problem_version IS NULL) AND (problem_id IS NULL) = (problem_kind IS NULL)),
  FOREIGN KEY (tenant, problem_id, problem_version, problem_kind) REFERENCES models (tenant, id, version, kind)
);
CREATE INDEX contracts_by_time ON contracts (tenant, created_at DESC);
