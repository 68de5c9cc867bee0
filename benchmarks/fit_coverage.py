"""Coverage of `insats fit`'s 95 % bootstrap intervals: simulate many registers from a known
scenario (each with its own seed), fit each, and count how often each true value lies inside its
interval. A measurement, not a test: chance decides each register, the count over many is the
figure (docs/fit.md, section 5, reports it).

    .venv/bin/python benchmarks/fit_coverage.py --kind single --registers 100 --boot 100
    .venv/bin/python benchmarks/fit_coverage.py --kind steps --registers 100 --boot 100
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

M0 = dt.date(2020, 1, 1)


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def one(kind: str, seed: int, boot: int, tmp: Path) -> dict[str, bool]:
    """Fit one simulated register; for each true value, whether its interval holds it."""
    import copy

    from model.fit import fit_file
    from model.fit.records import table_as_records, visits_as_records
    from model.scenario import parse_scenario
    from model.simulation import simulate

    if kind == "single":
        from test_fit import TWO_EXITS as raw
        truth = {"interventions[insats].duration.mean": 9, "interventions[insats].duration.cv": 0.6,
                 "interventions[insats].routing[arbete]": 0.6,
                 "interventions[insats].routing[annat]": 0.4,
                 "intake.stream.rate_per_month": 12, "population.joint[0].share": 0.5}
        data_date = dt.date(2022, 1, 1)
    else:
        from test_fit_steps import DATA_DATE as data_date
        from test_fit_steps import TRUTH as truth
        from test_fit_steps import TWO_STEPS as raw
    raw = copy.deepcopy(raw)
    raw["simulation"]["seed"] = seed
    run = simulate(parse_scenario(raw))
    rows = (table_as_records(run.participants, M0, data_date) if kind == "single" else
            visits_as_records(run.visits, run.participants, M0, data_date))
    path = _write(rows, tmp / f"r{seed}.csv")
    res = fit_file(path, data_date.isoformat(), tmp / f"f{seed}.yaml", month_zero=M0.isoformat(),
                   n_boot=boot, seed=seed + 1).result
    out = {}
    for p, v in truth.items():
        if p not in res.paths:  # e.g. an exponential chosen where the truth has a CV
            out[p] = None
            continue
        lo, hi = res.interval(p)
        out[p] = lo <= v <= hi
    return out


def summary(kind: str, results: list[dict[str, bool | None]], note: str) -> str:
    """The coverage table: per true value, and registers with every value covered."""
    paths = list(results[0])
    lines = [f"{kind}: {len(results)} registers, {note}"]
    for p in paths:
        got = [r[p] for r in results if r.get(p) is not None]
        lines.append(f"  {p:<50} {sum(got):>3}/{len(got)} covered")
    allin = sum(all(v for v in r.values() if v is not None) for r in results)
    lines.append(f"  every value covered in {allin}/{len(results)} registers (if each interval "
                 f"held 95 % independently: {0.95 ** len(paths):.2f} of them)")
    return "\n".join(lines)


def main() -> None:
    import json

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--kind", choices=("single", "steps"), default="single")
    ap.add_argument("--registers", type=int, default=100)
    ap.add_argument("--boot", type=int, default=100)
    ap.add_argument("--first-seed", type=int, default=1000)
    ap.add_argument("--log", type=Path, help="append each register's result here (JSON lines), "
                    "so that a run cut short still counts")
    ap.add_argument("--summarise", type=Path, help="only print the table of such a log")
    a = ap.parse_args()
    if a.summarise:
        rows = [json.loads(x) for x in a.summarise.read_text(encoding="utf-8").splitlines() if x]
        print(summary(rows[0]["kind"], [r["covered"] for r in rows],
                      f"{rows[0]['boot']} bootstrap resamples each, seeds {rows[0]['seed']}-"
                      f"{rows[-1]['seed']} (from {a.summarise.name})"))
        return
    t0 = time.perf_counter()
    results = []
    with tempfile.TemporaryDirectory() as d:
        for i in range(a.registers):
            seed = a.first_seed + i
            results.append(one(a.kind, seed, a.boot, Path(d)))
            if a.log:
                with a.log.open("a", encoding="utf-8") as f:
                    f.write(json.dumps({"kind": a.kind, "seed": seed, "boot": a.boot,
                                        "covered": results[-1]}) + "\n")
    print(summary(a.kind, results, f"{a.boot} bootstrap resamples each, seeds {a.first_seed}-"
                  f"{a.first_seed + a.registers - 1}, {time.perf_counter() - t0:.0f} s"))


if __name__ == "__main__":
    main()
