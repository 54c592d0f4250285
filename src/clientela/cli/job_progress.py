"""Run a queued job from a command, with a progress bar: in this process (the same task
the worker would run) or, when a worker took it first, following the worker."""

from __future__ import annotations

from typing import Any

import click


def run_with_progress(job: Any, *, label: str) -> Any:
    """Run ``job`` here or follow it until it has ended; the job as it ended."""
    from clientela.crm.jobs.here import run_or_follow

    with click.progressbar(length=max(job.progress_total or 0, 1), label=label, show_pos=True) as bar:

        def show(done: int, total: int | None) -> None:
            if total:
                bar.length = total
            bar.update(max(done - bar.pos, 0))

        return run_or_follow(job, on_progress=show)
