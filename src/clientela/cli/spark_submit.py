"""``clientela value fit --engine spark`` for ``spark-submit``, where the CLI is not installed.

    spark-submit --master spark://host:7077 \
        "$(python -c 'import clientela.cli.spark_submit as m; print(m.__file__)')" \
        s3a://lake/orders/ --customer customer_id --date ordered_at --amount amount \
        --output s3a://lake/clv.parquet

The arguments are those of ``clientela value fit`` (``--engine spark`` is
implied; the master and settings are spark-submit's).  Also runnable as
``python -m clientela.cli.spark_submit``.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    from clientela.cli.value import fit_command

    arguments = list(sys.argv[1:] if argv is None else argv)
    fit_command.main(args=[*arguments, "--engine", "spark"], prog_name="clientela value fit")


if __name__ == "__main__":
    main()
