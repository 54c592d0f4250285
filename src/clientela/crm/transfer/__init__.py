"""CSV import and CSV/Parquet export of the whole record, and CSV export of list pages.

A plain package (not a Django app, no models). ``columns`` declares every kind's
canonical columns; ``csv_import.import_file`` / ``import_all`` and
``csv_export.export_csv`` / ``export_all`` are the entry points of the canonical files
(the CLI, ``clientela import`` / ``clientela export``, only parses options and calls
them); ``row_export.export_rows`` writes what a list page shows a user.
"""
