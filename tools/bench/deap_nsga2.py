#!/usr/bin/env python3
"""NSGA-II from DEAP over an exported configuration search space: the peer of our NSGA-II in
tools/bench/optimizer.ts (npm run bench:optimizer).

    python3 tools/bench/deap_nsga2.py SPACE.json OUT.json --seed 1 --checkpoints 10000,50000,200000

SPACE.json comes from tools/bench/export-space.ts (its header documents the format and the
objectives, which follow MODEL.md section 2). Needs Debian's python3-deap (apt-get install -y
python3-deap), which brings numpy.

The encoding is our NSGA-II's (libs/optimizer/src/nsga2-configuration.ts): one gene per triggered
flow choosing among its staffable alternatives, then one gene per demand unit (shared by the flow's
alternatives that have the same activity), decoded modulo the unit's candidate count. Decoding
repairs double-booking as ours does: walking the units in order, a unit whose resource an earlier
unit it must not share with already holds gets a random free candidate; the repaired picks are
written back into the genome (Lamarckian). What the repair cannot fix stays infeasible and is
penalized (every objective plus 1e9 per conflicting pair, so feasible solutions always win).

The algorithm is DEAP's NSGA-II as in DEAP's own example (examples/ga/nsga2.py): a random
population of 100, selNSGA2 for environmental selection, selTournamentDCD for mating, cxUniform
(indpb 0.5) with probability 0.9, mutUniformInt with per-gene probability 1/L (L: genes with more
than one value), which is our default mutation. Every offspring is evaluated, so a run of G
generations costs 100·(G + 1) evaluations. As ours does, it keeps an external archive of every
feasible non-dominated solution evaluated (the population alone holds at most 100 points).

At each checkpoint (a number of evaluations) the archive is written with the search time so far
and CPU time so far (after reading the space; the interpreter's start-up is not counted). OUT.json:
  {"checkpoints": [{"evaluations": N, "seconds": s, "cpuSeconds": c, "generations": g,
                    "front": [{"alternatives": [...], "picks": [...], "objectives": [T, C, R]}]}], ...}
"""
import argparse
import json
import random
import sys
import time

try:
    import numpy as np
    from deap import base, creator, tools
except ImportError as error:  # pragma: no cover - reported to the caller
    sys.stderr.write(f"deap_nsga2.py: {error}; install Debian's python3-deap: apt-get install -y python3-deap\n")
    sys.exit(3)

PENALTY = 1e9
POPULATION = 100
CROSSOVER = 0.9


class Space:
    """The exported space, flattened for fast decoding."""

    def __init__(self, doc):
        self.doc = doc
        self.flows = doc["flows"]
        self.domain = doc["domain"]
        self.mean_mode = doc["reliabilityObjective"] == "mean"
        # Global occurrence ids and their overlaps (intervals of positive length that intersect).
        occs = []
        for flow in self.flows:
            for alt in flow["alternatives"]:
                for o in alt["occurrences"]:
                    o["id"] = len(occs)
                    occs.append(o)
        self.overlap = []
        for a in occs:
            s = {a["id"]}
            if a["end"] > a["start"]:
                for b in occs:
                    if b["end"] > b["start"] and a["start"] < b["end"] and b["start"] < a["end"]:
                        s.add(b["id"])
            self.overlap.append(frozenset(s))
        # Per alternative, its units as tuples (occurrence id, gene, resources, thetas, rates, time, occurrence index).
        for flow in self.flows:
            for alt in flow["alternatives"]:
                units = []
                for k, o in enumerate(alt["occurrences"]):
                    for u in o["units"]:
                        cands = u["candidates"]
                        units.append((o["id"], u["gene"], [c[0] for c in cands], [c[1] for c in cands], [c[2] for c in cands], o["time"], k))
                alt["_units"] = units
        flows_genes = len(self.flows)
        self.mutable = sum(1 for d in self.domain if d > 1)
        self.flow_count = flows_genes

    def evaluate(self, genome, rng):
        """Decodes, repairs (written back into the genome) and scores: (T, C, R, conflicts, picks)."""
        held = {}  # resource -> set of occurrence ids holding it
        picks = []
        left = 0
        T = 0.0
        C = 0.0
        imp = 0.0
        count = 0
        fixed_w = 0.0
        fixed_m = 0.0
        chosen = []
        for f, flow in enumerate(self.flows):
            alt = flow["alternatives"][genome[f]]
            chosen.append(alt)
            T += alt["time"]
            C += alt["fixedCost"]
            imp += alt["importance"]
            count += alt["count"]
            fixed_w += alt["fixedRelWeighted"]
            fixed_m += alt["fixedRelMean"]
        use_mean = self.mean_mode or imp == 0
        rel = fixed_m if use_mean else fixed_w
        overlap = self.overlap
        for alt in chosen:
            occs = alt["occurrences"]
            product = None
            last_k = -1
            for (oid, gene, res, thetas, rates, t, k) in alt["_units"]:
                if k != last_k:
                    if product is not None:
                        rel += product
                    o = occs[k]
                    product = 1.0 if use_mean else o["importance"]
                    last_k = k
                n = len(res)
                i = genome[gene] % n
                ov = overlap[oid]
                hs = held.get(res[i])
                if hs is not None and not hs.isdisjoint(ov):
                    free = [j for j in range(n) if held.get(res[j]) is None or held[res[j]].isdisjoint(ov)]
                    if free:
                        i = free[rng.randrange(len(free))]
                    else:
                        left += 1
                genome[gene] = i
                r = res[i]
                if r in held:
                    held[r].add(oid)
                else:
                    held[r] = {oid}
                picks.append(i)
                C += t * rates[i]
                product *= thetas[i]
            if product is not None:
                rel += product
        denominator = count if use_mean else imp
        R = 1.0 if denominator == 0 else rel / denominator
        conflicts = self.conflicts(chosen, picks) if left else 0
        return T, C, R, conflicts, picks

    def conflicts(self, chosen, picks):
        """Pairs of units holding the same resource in the same or overlapping occurrences."""
        units = []
        p = 0
        for alt in chosen:
            for (oid, _gene, res, _t, _r, _time, _k) in alt["_units"]:
                units.append((oid, res[picks[p]]))
                p += 1
        pairs = 0
        for a in range(len(units)):
            for b in range(a + 1, len(units)):
                if units[a][1] == units[b][1] and units[b][0] in self.overlap[units[a][0]]:
                    pairs += 1
        return pairs


def non_dominated(vectors):
    """Indices of the non-dominated rows of an (n, 3) array to minimize, one per distinct row."""
    if len(vectors) == 0:
        return np.zeros(0, dtype=int)
    _, first = np.unique(vectors, axis=0, return_index=True)
    first = np.sort(first)
    v = vectors[first]
    keep = np.ones(len(v), dtype=bool)
    for start in range(0, len(v), 512):
        block = v[start:start + 512]
        le = np.all(v[None, :, :] <= block[:, None, :], axis=2)
        lt = np.any(v[None, :, :] < block[:, None, :], axis=2)
        keep[start:start + 512] = ~np.any(le & lt, axis=1)
    return first[keep]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("space")
    parser.add_argument("out")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--checkpoints", default="20100", help="evaluation counts, comma-separated")
    args = parser.parse_args()
    checkpoints = sorted(int(x) for x in args.checkpoints.split(","))

    with open(args.space) as fh:
        space = Space(json.load(fh))
    started = time.perf_counter()
    started_cpu = time.process_time()
    rng = random.Random(args.seed)
    random.seed(args.seed)  # DEAP's operators draw from the module generator

    creator.create("FitnessMin3", base.Fitness, weights=(-1.0, -1.0, -1.0))
    creator.create("Individual", list, fitness=creator.FitnessMin3)
    domain = space.domain
    toolbox = base.Toolbox()
    toolbox.register("mate", tools.cxUniform, indpb=0.5)
    toolbox.register("mutate", tools.mutUniformInt, low=[0] * len(domain), up=[d - 1 for d in domain], indpb=1.0 / max(1, space.mutable))
    toolbox.register("select", tools.selNSGA2)

    archive_vectors = []  # objective vectors [T, C, -R] of feasible candidates
    archive_items = []  # (alternatives, picks, [T, C, R])
    evaluations = 0

    def evaluate(ind):
        nonlocal evaluations
        evaluations += 1
        T, C, R, conflicts, picks = space.evaluate(ind, rng)
        if conflicts:
            penalty = PENALTY * conflicts
            ind.fitness.values = (T + penalty, C + penalty, -R + penalty)
        else:
            ind.fitness.values = (T, C, -R)
            archive_vectors.append((T, C, -R))
            alternatives = [space.flows[f]["alternatives"][ind[f]]["index"] for f in range(space.flow_count)]
            archive_items.append((alternatives, picks, [T, C, R]))

    def prune():
        if not archive_vectors:
            return
        keep = non_dominated(np.array(archive_vectors))
        archive_vectors[:] = [archive_vectors[i] for i in keep]
        archive_items[:] = [archive_items[i] for i in keep]

    results = []
    pending = list(checkpoints)
    budget = checkpoints[-1]

    def checkpoint(generations):
        prune()
        results.append({
            "evaluations": evaluations,
            "seconds": time.perf_counter() - started,
            "cpuSeconds": time.process_time() - started_cpu,
            "generations": generations,
            "front": [{"alternatives": a, "picks": p, "objectives": o} for (a, p, o) in archive_items],
        })

    population = []
    for _ in range(POPULATION):
        ind = creator.Individual(random.randrange(d) if d > 0 else 0 for d in domain)
        population.append(ind)
    for ind in population:
        evaluate(ind)
    population = toolbox.select(population, POPULATION)  # assigns the crowding distances
    generations = 0
    while pending and evaluations >= pending[0]:
        pending.pop(0)
        checkpoint(generations)
    while evaluations < budget:
        offspring = tools.selTournamentDCD(population, POPULATION)
        offspring = [toolbox.clone(ind) for ind in offspring]
        for a, b in zip(offspring[::2], offspring[1::2]):
            if random.random() <= CROSSOVER:
                toolbox.mate(a, b)
            toolbox.mutate(a)
            toolbox.mutate(b)
            del a.fitness.values, b.fitness.values
        evaluated = []
        for ind in offspring:
            if evaluations >= pending[0]:
                break
            evaluate(ind)
            evaluated.append(ind)
        generations += 1
        population = toolbox.select(population + evaluated, POPULATION)
        if generations % 20 == 0:
            prune()
        while pending and evaluations >= pending[0]:
            pending.pop(0)
            checkpoint(generations)

    with open(args.out, "w") as fh:
        json.dump({"peer": "deap", "deap": __import__("deap").__version__, "python": sys.version.split()[0], "seed": args.seed,
                   "population": POPULATION, "checkpoints": results}, fh)


if __name__ == "__main__":
    main()
