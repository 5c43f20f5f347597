"""The slim launcher ``dateline serve`` becomes once its checks have passed.

``python -m dateline.core.launch --host H --port P --workers N --threads T``
starts granian with the WSGI target ``dateline.wsgi:application`` and
nothing else: this module must not import Django or any part of Dateline
beyond itself, because the process that runs it is granian's main process,
which answers no request. granian imports the target in each worker only
(its ``load_target`` runs in the forked process), so what this process holds
is Python, granian and its Rust runtime: 29 MiB resident, against 118 MiB
when granian ran inside the management command that had set up Django,
checked it and gathered the static files (docs/decisions/serve-memory.md).

The workers are forked from this small process and import the application
themselves; none of them inherits pages of a big parent either.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import sys
from typing import Any

# What granian loads in each worker.
TARGET = "dateline.wsgi:application"
# This module, as `python -m` runs it.
MODULE = "dateline.core.launch"
# The collector in a worker (docs/decisions/serve-memory.md, "Tails"): a full
# pass walks the 134,000 objects of the loaded application, and a search
# allocates enough to set one off every 10-30 requests: the spikes readers
# met (90-110 ms). The objects that exist once the application is loaded are
# frozen (no pass walks them again), and a young pass waits for this many new
# objects instead of 700, so a request's own garbage is mostly freed first.
GC_YOUNG_THRESHOLD = 10_000
# How long a stopping worker may take to finish its requests (and write the
# views it counted) before granian kills it.
WORKERS_KILL_TIMEOUT = 10


def parse(argv: list[str]) -> argparse.Namespace:
    """The arguments ``dateline serve`` passes on, already checked there."""
    parser = argparse.ArgumentParser(prog="python -m dateline.core.launch")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, required=True)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--access-log", action="store_true")
    return parser.parse_args(argv)


def command(
    *, host: str, port: int, workers: int, threads: int, access_log: bool
) -> list[str]:
    """The command line that runs this module with these options, for
    ``os.execv`` (the Python running now, so the same virtualenv)."""
    return [
        sys.executable, "-m", MODULE,
        "--host", host, "--port", str(port),
        "--workers", str(workers), "--threads", str(threads),
        *(["--access-log"] if access_log else []),
    ]  # fmt: skip


def load_application(target: str) -> Any:
    """The WSGI application, loaded in a worker (granian calls this there),
    with the collector tuned for serving it."""
    module, _, name = target.partition(":")
    application = getattr(importlib.import_module(module), name)
    tune_collector()
    return application


def tune_collector() -> None:
    """Freeze what the process holds now and raise the young threshold, as a
    serving worker does once loaded (the bench's in-process measurements
    call it too, so that they measure the collector readers meet)."""
    gc.collect()  # what loading left behind is not frozen with the rest
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, older, oldest)


def serve(
    *, host: str, port: int, workers: int, threads: int, access_log: bool
) -> None:
    from granian import Granian
    from granian.constants import Interfaces

    Granian(
        TARGET,
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=threads,
        websockets=False,
        log_access=access_log,
        respawn_failed_workers=True,
        workers_kill_timeout=WORKERS_KILL_TIMEOUT,
    ).serve(target_loader=load_application)


def main(argv: list[str] | None = None) -> None:
    options = parse(sys.argv[1:] if argv is None else argv)
    serve(
        host=options.host,
        port=options.port,
        workers=options.workers,
        threads=options.threads,
        access_log=options.access_log,
    )


if __name__ == "__main__":
    main()
