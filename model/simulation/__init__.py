"""The discrete-event engine (SimPy): participants through interventions, queues and routing.

Time is in months. Each replication draws from its own named random streams (streams.py), all
derived from one seed, so two programmes run on the same seed meet the same participants
(common random numbers) and the result does not depend on how replications are spread over
worker processes. engine.py wires a replication's processes (intake.py, station.py); tables.py
turns its records into pandas tables keyed by `rep` and `participant_id`, documented in
`PARTICIPANT_COLUMNS`, `VISIT_COLUMNS` and `STATION_COLUMNS`; run.py runs R replications.
"""

from __future__ import annotations

from model.lazy import lazy_names
from model.simulation.rules import effective_rules

# The rest loads on first use (PEP 562): the engine and its pandas tables are not needed to read
# or check a scenario, and `validate`, `--help` and exact mode start faster without them.
_HOME = {
    "Replication": "engine", "_replicate": "engine", "RunResult": "run", "run_replication": "run",
    "simulate": "run", "Request": "station", "Station": "station", "StationMonitor": "station",
    "Streams": "streams", "stream": "streams", "PARTICIPANT_COLUMNS": "tables",
    "STATION_COLUMNS": "tables", "VISIT_COLUMNS": "tables",
}


__getattr__ = lazy_names(__name__, _HOME)


__all__ = [
    "PARTICIPANT_COLUMNS", "STATION_COLUMNS", "VISIT_COLUMNS", "Replication", "Request",
    "RunResult", "Station", "StationMonitor", "Streams", "_replicate", "effective_rules",
    "run_replication", "simulate", "stream",
]
