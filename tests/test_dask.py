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


def test_dask_scheduler_and_workers_as_separate_processes(sweep_file, local, tmp_path) -> None:
    """A scheduler and two workers started as their own OS processes (`dask scheduler`,
    `dask worker`) on 127.0.0.1, as on a cluster; the sweep connects by address and matches the
    local executor exactly."""
    import json
    import os
    import subprocess
    import sys
    import time

    from distributed import Client

    dask_cli = [sys.executable, "-m", "distributed.cli.dask_scheduler"]
    sched_file = tmp_path / "scheduler.json"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([*dask_cli, "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                               "--scheduler-file", str(sched_file)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        deadline = time.monotonic() + 60
        while not sched_file.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(sched_file.read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        procs.append(subprocess.Popen(
            [sys.executable, "-m", "distributed.cli.dask_worker", address, "--nworkers", "2",
             "--nthreads", "1", "--host", "127.0.0.1", "--no-dashboard"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=60)
            pids = set(client.run(os.getpid).values())
        assert len(pids) == 2 and os.getpid() not in pids
        out = tmp_path / "cluster"
        res = run_sweep(sweep_file, out, scheduler=address, quiet=True)
        assert address in res.executor
        pd.testing.assert_frame_equal(all_rows(out), all_rows(local))
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
