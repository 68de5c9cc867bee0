"""A sweep on a real Dask cluster (scheduler and worker processes on 127.0.0.1) gives exactly the
results of the local executor."""

from __future__ import annotations

import logging

import pandas as pd
import pytest
from test_sweep import all_rows, lhs_sweep, stochastic, write

from model.sweep import run_sweep

distributed = pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def sweep_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("dask")
    write(d / "a.yaml", stochastic("prog_a", 3.0))
    write(d / "b.yaml", stochastic("prog_b", 5.0))
    return lhs_sweep(d, points=6, reps=3)


@pytest.fixture(scope="module")
def local(sweep_file):
    """The same sweep on the local executor (one process)."""
    out = sweep_file.parent / "local"
    run_sweep(sweep_file, out, workers=1, quiet=True)
    return out


def test_dask_local_cluster_equals_local_executor(sweep_file, local, tmp_path) -> None:
    dask_out = tmp_path / "dask"
    res = run_sweep(sweep_file, dask_out, dask_local=2, quiet=True)
    assert "local Dask cluster (2 worker threads)" in res.executor
    pd.testing.assert_frame_equal(all_rows(dask_out), all_rows(local))
    pd.testing.assert_frame_equal(pd.read_parquet(dask_out / "summary.parquet"),
                                  pd.read_parquet(local / "summary.parquet"))


def test_dask_scheduler_address(sweep_file, local, tmp_path) -> None:
    """--scheduler tcp://...: a separately started cluster (2 worker processes, loopback only)."""
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None, silence_logs=logging.ERROR) as cluster:
        assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
        out = tmp_path / "remote"
        res = run_sweep(sweep_file, out, scheduler=cluster.scheduler_address, quiet=True)
    assert cluster.scheduler_address in res.executor
    pd.testing.assert_frame_equal(all_rows(out), all_rows(local))
