"""Imports are audited (issue 13, item 6): one entry per import — who, the file's name and
SHA-256, its kind and counts; a dry run or a refused file writes none."""

from __future__ import annotations

import hashlib

import pytest
from tests.transfer.conftest import customers_csv

from clientela.crm.accounts.models import User
from clientela.crm.audit.models import AuditEntry
from clientela.crm.transfer.csv_import import ImportFailed, import_file

pytestmark = pytest.mark.django_db


def _entries():
    return {e.field: e.new for e in AuditEntry.objects.filter(entity="import")}


def test_an_import_writes_one_audit_entry_with_who_file_hash_and_counts(write_csv, cli):
    User.objects.create_user("importer", password="pw-importer-1", role="admin")
    path = write_csv(customers_csv(["C1", "C2"]), name="shop-customers.csv")
    result = cli("import", "customers", path, "--by", "importer")
    assert result.exit_code == 0, result.output
    entries = AuditEntry.objects.filter(entity="import")
    assert {e.actor_name for e in entries} == {"importer"}
    assert {e.object_id for e in entries} == {hashlib.sha256(path.read_bytes()).hexdigest()}
    assert _entries() == {"kind": "customers", "file": "shop-customers.csv", "rows": "2",
                          "created": "2", "updated": "0", "unchanged": "0"}
    again = import_file("customers", path)  # the system, the same file: a second entry set
    assert again.unchanged == 2
    assert AuditEntry.objects.filter(entity="import", field="rows").count() == 2


def test_an_unknown_by_user_is_refused_and_nothing_is_written(write_csv, cli):
    result = cli("import", "customers", write_csv(customers_csv(["C1"])), "--by", "nobody")
    assert result.exit_code != 0 and "--by: no user 'nobody'" in result.output
    assert not AuditEntry.objects.filter(entity="import").exists()


def test_dry_runs_and_refused_files_are_not_audited(write_csv):
    import_file("customers", write_csv(customers_csv(["C1"])), dry_run=True)
    with pytest.raises(ImportFailed):
        import_file("customers", write_csv(customers_csv(["C1"]).replace("2024-01-01", "someday")))
    assert not AuditEntry.objects.filter(entity="import").exists()
