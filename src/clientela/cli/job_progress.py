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



def run_unless_queued(
    job: Any, *, queued: bool, queued_as: str, label: str, failed: str, then: str
) -> Any | None:
    """A command's job run here and returned once it succeeded, or with ``queued`` only
    said to be queued (``queued_as`` names it, e.g. "Erasure of party 'P-1'") and None.
    A failed job is a ``ClickException``: "``failed`` (the job's last error); ``then``"."""
    if queued:
        click.echo(f"{queued_as} queued as job {job.pk}; `clientela worker` runs it.")
        return None
    done = run_with_progress(job, label=label)
    if done.status != "succeeded":
        raise click.ClickException(f"{failed} ({done.last_error or done.status}); {then}")
    return done
