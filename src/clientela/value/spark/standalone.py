"""A Spark standalone cluster on loopback: one master and N workers from the PySpark install.

For tests, benchmarks and trying the cluster path on one machine
(docs/scale-out.md).  The daemons are the real ones (``spark-class
org.apache.spark.deploy.master.Master`` / ``...worker.Worker``), bound to
127.0.0.1 on free ports (or the ports given); :func:`loopback_cluster` stops
them (the process groups it started, nothing else) on the way out.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess  # noqa: S404 -- starts the Spark daemons of the PySpark install, no shell
import tempfile
import time
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path


class ClusterError(RuntimeError):
    """The cluster did not come up; says which daemon and shows the end of its log."""


@dataclass
class LoopbackCluster:
    master_url: str
    master_ui: str
    started_in: float
    logs: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)


def spark_home() -> Path:
    """The Spark distribution inside the PySpark install (``SPARK_HOME`` when set)."""
    if os.environ.get("SPARK_HOME"):
        return Path(os.environ["SPARK_HOME"])
    import pyspark

    return Path(pyspark.__file__).parent


def java_available() -> bool:
    return shutil.which("java") is not None or bool(os.environ.get("JAVA_HOME"))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _start(args: Sequence[str], log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 -- fixed argv of the PySpark install's spark-class
            [str(spark_home() / "bin" / "spark-class"), *args],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )


def _workers_alive(ui: str) -> int:
    """Workers the master reports ALIVE (its JSON status page)."""
    import json

    try:
        with urllib.request.urlopen(f"{ui}/json/", timeout=2) as response:  # noqa: S310 -- loopback
            status = json.load(response)
    except (OSError, ValueError):
        return 0
    return sum(1 for worker in status.get("workers", []) if worker.get("state") == "ALIVE")


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in reversed(processes):
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@contextmanager
def loopback_cluster(
    workers: int = 2,
    *,
    cores: int = 1,
    memory: str = "1g",
    ports: Sequence[int] | None = None,
    timeout: float = 120.0,
) -> Iterator[LoopbackCluster]:
    """Start a master and ``workers`` workers on 127.0.0.1; yield when all workers are ALIVE.

    ``ports``: the master's port, its web UI's, then each worker's port and web UI
    (2 + 2 * workers numbers); free ports by default.  ``started_in`` is the
    seconds from the first launch to the last worker registered.
    """
    need = 2 + 2 * workers
    chosen = list(ports) if ports is not None else [free_port() for _ in range(need)]
    if len(chosen) != need:
        raise ValueError(f"ports: {need} numbers needed (master, master UI, then per worker)")
    logs = Path(tempfile.mkdtemp(prefix="clientela-spark-"))
    env = {
        **os.environ,
        "SPARK_HOME": str(spark_home()),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_DAEMON_MEMORY": "256m",
    }
    master_url = f"spark://127.0.0.1:{chosen[0]}"
    master_ui = f"http://127.0.0.1:{chosen[1]}"
    processes: list[subprocess.Popen[bytes]] = []
    started = time.monotonic()
    try:
        processes.append(_start(
            ["org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
             "--port", str(chosen[0]), "--webui-port", str(chosen[1])],
            logs / "master.log", env,
        ))
        for index in range(workers):
            work = logs / f"worker-{index}"
            work.mkdir()
            processes.append(_start(
                ["org.apache.spark.deploy.worker.Worker", master_url, "--host", "127.0.0.1",
                 "--port", str(chosen[2 + 2 * index]), "--webui-port", str(chosen[3 + 2 * index]),
                 "--cores", str(cores), "--memory", memory, "--work-dir", str(work)],
                logs / f"worker-{index}.log", env,
            ))
        while _workers_alive(master_ui) < workers:
            for name, process in zip(["master"] + [f"worker-{i}" for i in range(workers)],
                                     processes, strict=True):
                if process.poll() is not None:
                    raise ClusterError(f"{name} exited ({process.returncode}):\n"
                                       f"{_tail(logs / (name + '.log'))}")
            if time.monotonic() - started > timeout:
                raise ClusterError(f"workers not registered after {timeout:g} s:\n"
                                   f"{_tail(logs / 'master.log')}")
            time.sleep(0.25)
        yield LoopbackCluster(master_url, master_ui, time.monotonic() - started, logs, processes)
    finally:
        _stop(processes)
        shutil.rmtree(logs, ignore_errors=True)
