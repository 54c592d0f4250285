"""The import wizard: uploaded files, their reading settings and column mapping, the
import job, the history and the undo of an import.

The rows themselves are validated and written by ``crm.transfer`` (``csv_import``): this
app turns a user's file (CSV in one of four encodings and any common delimiter, or XLSX;
a shop's order export through a recipe) into the canonical file of a kind, and keeps a
journal of what each import created and changed so that it can be undone.
"""
