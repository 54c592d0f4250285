"""``clientela score`` and ``clientela report``."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime
from pathlib import Path

import click

from clientela.cli.django_setup import setup_django

MODELS = ["auto", "bgnbd", "pareto", "mbgnbd", "nbd"]


@click.command()
@click.option("--model", default="auto", show_default=True, type=click.Choice(MODELS),
              help="Purchases model; auto picks the lowest holdout error (AIC without a holdout); nbd has no dropout.")
@click.option("--horizon-days", default=365, show_default=True, type=click.IntRange(1, 3650),
              help="How far ahead CLV looks.")
@click.option("--discount", default=0.10, show_default=True, type=click.FloatRange(0, 1),
              help="Annual discount rate for CLV.")
@click.option("--as-of", "as_of", default=None, type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Score as if today were this date (YYYY-MM-DD); default today (UTC).")
@click.option("--local-day", "local_day", default=None, metavar="TZ",
              help="Group purchases into the value models' weeks by the days of this IANA time "
                   "zone (e.g. Europe/Warsaw); default UTC.")
@click.option("--transactions", type=click.Path(exists=True, path_type=Path), default=None,
              help="Read the orders from this Parquet file or directory (a lake's, or "
                   "`clientela export orders --format parquet`) instead of the database; "
                   "docs/scale-out.md.")
@click.option("--timings", is_flag=True, envvar="CLIENTELA_SCORE_TIMING",
              help="Instead of the progress bar, print each stage's wall time and memory "
                   "(RSS, peak RSS) on stderr; also set by CLIENTELA_SCORE_TIMING=1.")
def score(model: str, horizon_days: int, discount: float, as_of: datetime | None,
          local_day: str | None, transactions: Path | None, timings: bool) -> None:
    """Score every customer: value models, RFM, profitability, ladder, next best action."""
    setup_django()
    from django.conf import settings

    from clientela.crm.scoring.actions import run_scoring
    from clientela.crm.scoring.pipeline import ScoringError, ScoringSettings

    scoring_settings = ScoringSettings(model=model, horizon_days=horizon_days, discount=discount,
                                       currency=settings.BASE_CURRENCY,
                                       as_of=as_of.date() if as_of else None,
                                       local_day=local_day)
    try:
        if timings:
            timer = StageTimer()
            run = run_scoring(None, settings=scoring_settings, progress=timer,
                              transactions=transactions)
            timer.finish()
        else:
            # About twenty stages report progress (reading, value models, insight, writing).
            with click.progressbar(length=20, label="Scoring", file=sys.stderr,
                                   show_eta=False, item_show_func=lambda s: s) as bar:
                run = run_scoring(None, settings=scoring_settings, transactions=transactions,
                                  progress=lambda message: bar.update(1, message))
                bar.update(20)
    except ScoringError as exc:
        raise click.ClickException(str(exc)) from None
    report = run.summary
    equity = report["customer_equity"]
    click.echo(f"Run {run.pk}: {run.model_name} ({run.model_reason})")
    notes = run.diagnostics.get("fit_notes") or {}
    for skipped in notes.get("skipped") or []:
        click.echo(f"Skipped {skipped['model']} ({skipped['stage']}): {skipped['reason']}")
    for warning in notes.get("warnings") or []:
        click.echo(f"Warning: {warning}")
    click.echo("Parameters: " + ", ".join(f"{k}={v:.4g}" for k, v in run.params.items()))
    click.echo(f"Log-likelihood: {run.diagnostics['log_likelihood']:.2f}")
    if run.holdout.get("mae") is not None:
        click.echo(f"Holdout ({run.holdout['weeks']} weeks): MAE {run.holdout['mae']:.4f}, "
                   f"RMSE {run.holdout['rmse']:.4f}")
    click.echo(f"Scored {run.scores.count():,} parties; {run.customers:,} customers, "
               f"{run.transactions:,} orders.")
    click.echo(f"Customer equity: {equity['total']:,.2f} {report['currency']} "
               f"(current {equity['current']:,.2f} + future {equity['future']:,.2f})")
    if equity.get("total_low") is not None and equity.get("total_high") is not None:
        click.echo(f"  {100 * equity['interval_level']:g} % interval: {equity['total_low']:,.2f} to "
                   f"{equity['total_high']:,.2f} {report['currency']} (the parameters' sampling error)")
    elif equity.get("interval_error"):
        click.echo(f"  no interval: {equity['interval_error']}")


@click.command()
@click.option("--format", "fmt", default="json", show_default=True, type=click.Choice(["json", "html"]))
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write; stdout when omitted.")
@click.option("--language", default=None, type=click.Choice(["en", "pl", "ru"]),
              help="Language of the HTML report (default English).")
def report(fmt: str, output: Path | None, language: str | None) -> None:
    """The customer-equity report of the latest scoring run (JSON or one HTML file)."""
    setup_django()
    from clientela.crm.scoring.queries import current_run
    from clientela.crm.scoring.report import render_html

    run = current_run()
    if run is None:
        raise click.ClickException("no scoring run yet: run `clientela score` first")
    if fmt == "json":
        from clientela.crm.experiments.outcomes import report_rows
        from clientela.crm.feedback.themes import company_nps_drivers

        # What the last 12 months' NPS comments are about (docs/insight.md "Feedback themes"),
        # and each control-group experiment's outcome by metric (docs/experiments.md).
        summary = {**run.summary, "feedback_themes": company_nps_drivers(), "experiments": report_rows()}
        text = json.dumps(summary, indent=2, ensure_ascii=False) + "\n"
    else:
        text = render_html(run.summary, language=language)
    if output is None:
        click.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        click.echo(f"Wrote {output}", err=True)


def _rss_mb() -> tuple[float, float]:
    """Current and peak resident memory of this process in MB (Linux; NaN elsewhere)."""
    import os
    import resource

    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            current = int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError):
        current = float("nan")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return current, peak


class StageTimer:
    """Progress callback printing, when a stage ends, its wall time and the memory then."""

    def __init__(self) -> None:
        self.begun = time.perf_counter()
        self.stage: str | None = None
        self.started = self.begun

    def __call__(self, message: str) -> None:
        self._close()
        self.stage = message
        self.started = time.perf_counter()

    def finish(self) -> None:
        self._close()
        self.stage = None
        current, peak = _rss_mb()
        click.echo(f"[timing] all stages: {time.perf_counter() - self.begun:.2f} s; "
                   f"RSS {current:.0f} MB, peak {peak:.0f} MB", err=True)

    def _close(self) -> None:
        if self.stage is None:
            return
        current, peak = _rss_mb()
        click.echo(f"[timing] {self.stage}: {time.perf_counter() - self.started:.2f} s; "
                   f"RSS {current:.0f} MB, peak {peak:.0f} MB", err=True)
