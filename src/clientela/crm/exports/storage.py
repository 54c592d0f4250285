"""An export's file in the database: a gzip stream cut into chunks (``ExportChunk``).

Rows are first written to a temporary file on the writing process's disk, then copied
into the database in short transactions: no chunk is written while the rows' query is
still being read (on SQLite an open read would make the writes wait on other
connections), and a half-written export is never visible — the chunks of an attempt
that died are deleted by the next one before it writes its own.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from typing import IO, Any

from django.db import transaction

from clientela.crm.exports.models import ExportChunk, ExportFile

CHUNK_BYTES = 1024 * 1024


def store(export: ExportFile, compressed: IO[bytes]) -> None:
    """Replace the export's chunks by the gzip stream ``compressed`` (read from its start)."""
    ExportChunk.objects.filter(export=export).delete()
    compressed.seek(0)
    seq = 0
    while True:
        data = compressed.read(CHUNK_BYTES)
        if not data:
            return
        with transaction.atomic():
            ExportChunk.objects.create(export=export, seq=seq, data=data)
        seq += 1


def read(export: ExportFile) -> Iterator[bytes]:
    """The export's CSV, decompressed, a piece at a time (one chunk in memory at once)."""
    inflate = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)  # the gzip container
    ids = list(ExportChunk.objects.filter(export=export).order_by("seq").values_list("pk", flat=True))
    for pk in ids:
        data = ExportChunk.objects.filter(pk=pk).values_list("data", flat=True).get()
        piece = inflate.decompress(bytes(data))
        if piece:
            yield piece
    tail = inflate.flush()
    if tail:
        yield tail


def gzip_writer(raw: IO[bytes]) -> gzip.GzipFile:
    return gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6, mtime=0)


def erase_stored_exports(party: Any, actor: Any) -> int:
    """The privacy section: every stored export may list the erased person; delete them."""
    deleted, _ = ExportFile.objects.all().delete()
    return deleted
