"""Exports users ask for from the pages and the API: CSV files of the records they may
see, written by the worker when large (``EXPORT_JOB_ROWS``), kept privately in the
database for their owner (and administrators) and purged after ``EXPORT_KEEP_DAYS``."""
