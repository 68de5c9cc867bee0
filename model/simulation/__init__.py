"""The discrete-event engine (SimPy): participants through interventions, queues and routing.

Time is in months. Each replication draws from its own named random streams (streams.py), all
derived from one seed, so two programmes run on the same seed meet the same participants
(common random numbers) and the result does not depend on how replications are spread over
worker processes. engine.py wires a replication's processes (intake.py, station.py); tables.py
turns its records into pandas tables keyed by `rep` and `participant_id`, documented in
`PARTICIPANT_COLUMNS`, `VISIT_COLUMNS` and `STATION_COLUMNS`; run.py runs R replications.
"""

from model.simulation.engine import Replication, _replicate
from model.simulation.rules import effective_rules
from model.simulation.run import RunResult, run_replication, simulate
from model.simulation.station import Request, Station, StationMonitor
from model.simulation.streams import Streams, stream
from model.simulation.tables import PARTICIPANT_COLUMNS, STATION_COLUMNS, VISIT_COLUMNS

__all__ = [
    "PARTICIPANT_COLUMNS", "STATION_COLUMNS", "VISIT_COLUMNS", "Replication", "Request",
    "RunResult", "Station", "StationMonitor", "Streams", "_replicate", "effective_rules",
    "run_replication", "simulate", "stream",
]
