"""The list queries' optional filters (crm/query_filters.filter_given): a filter not given
narrows nothing; False and 0 are filters like any other value."""

from __future__ import annotations

import pytest

from clientela.crm.parties.models import Party
from clientela.crm.query_filters import filter_given

pytestmark = pytest.mark.django_db


def test_only_the_given_filters_narrow() -> None:
    Party.objects.create(ref="C", name="Customer", is_customer=True, country="PL")
    Party.objects.create(ref="S", name="Supplier", is_customer=False, is_supplier=True, country="DE")
    everyone = Party.objects.order_by("ref")
    assert list(filter_given(everyone, country=None, kind="").values_list("ref", flat=True)) == ["C", "S"]
    assert list(filter_given(everyone, is_customer=False).values_list("ref", flat=True)) == ["S"]
    assert list(filter_given(everyone, is_customer=True, country="PL").values_list("ref", flat=True)) == ["C"]
    assert not filter_given(everyone, is_customer=True, country="DE").exists()
    assert not filter_given(everyone, pk=0).exists()
