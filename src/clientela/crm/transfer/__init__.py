"""CSV import and CSV/Parquet export of customers, orders and interactions.

A plain package (not a Django app, no models). ``csv_import.import_file`` and
``csv_export.export_records`` are the public entry points; the CLI
(``clientela import`` / ``clientela export``) only parses options and calls them.
"""
