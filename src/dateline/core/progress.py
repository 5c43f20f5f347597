"""Progress for long commands: a bar on a terminal, a line now and then in a log."""

from __future__ import annotations

import contextlib
import sys
import time
from typing import TYPE_CHECKING

from tqdm import tqdm

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from django.core.management.base import OutputWrapper

PLAIN_EVERY = 30.0  # seconds between progress lines when stderr is not a terminal


@contextlib.contextmanager
def progress(
    total: int, *, stderr: OutputWrapper, unit: str = "items", enabled: bool = True
) -> Iterator[Callable[[int], object] | None]:
    """A callable taking "this many more are done", or None when disabled."""
    if not enabled:
        yield None
    elif stderr.isatty():
        with tqdm(
            total=total, unit=f" {unit}", unit_scale=True, file=sys.stderr
        ) as bar:
            yield bar.update
    else:
        yield _plain(total, stderr, unit)


def _plain(total: int, stderr: OutputWrapper, unit: str) -> Callable[[int], None]:
    started = last = time.monotonic()
    done = 0

    def report(count: int) -> None:
        nonlocal done, last
        done += count
        moment = time.monotonic()
        if moment - last >= PLAIN_EVERY or done == total:
            last = moment
            rate = done / max(moment - started, 1e-9)
            share = done / total if total else 1.0
            stderr.write(
                f"  {done:,} / {total:,} {unit} ({share:.0%}), {rate:,.0f} {unit}/s"
            )

    return report
