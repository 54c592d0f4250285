"""/vocabularies/{name}: the company's word lists, read by everyone, replaced by the admin."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from clientela.api.responses import answers
from clientela.api.schemas.vocabularies import (
    VocabularyNameValue,
    VocabularyOut,
    VocabularyUpdate,
    VocabularyWordSchema,
)
from clientela.crm.vocabularies import access, actions, queries

router = Router(tags=["vocabularies"])


def _out(name: str) -> VocabularyOut:
    return VocabularyOut(name=name, open=queries.is_open(name),
                         words=[VocabularyWordSchema(word=w, label=label) for w, label in queries.entries(name)])


@router.get("/vocabularies/{name}", response=answers(200, VocabularyOut),
            summary="Read a vocabulary",
            description="The words a field takes now, in list order (the defaults until the admin sets a list). "
                        "Imports check acquisition_channel and an order's channel against them; tags are open.")
def get_vocabulary(request: HttpRequest, name: VocabularyNameValue) -> VocabularyOut:
    return _out(name)


@router.put("/vocabularies/{name}", response=answers(200, VocabularyOut),
            summary="Replace a vocabulary",
            description="Replaces the list with the words given, in order (admin only). A word is stored "
                        "lower-case; empty, repeated or over-long words are refused with 422. Records that hold "
                        "a word no longer listed keep it.")
def put_vocabulary(request: HttpRequest, name: VocabularyNameValue, payload: VocabularyUpdate) -> VocabularyOut:
    access.check_vocabulary_update(request.auth)
    actions.set_vocabulary(request.auth, name=name, words=[(w.word, w.label) for w in payload.words])
    return _out(name)
