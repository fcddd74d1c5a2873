"""Checking a zip file (a workbook, a backup) before anything parses it: a small file that
unpacks to gigabytes, or XML that declares entities, is refused with a sentence, having read
no more than the limits allow."""

from __future__ import annotations

import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass

MIB = 1024 * 1024
UNPACKING_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
)
CHUNK = 64 * 1024
# A DOCTYPE is where entities are declared; no workbook needs one.
DOCTYPE = b"<!DOCTYPE"


class ArchiveRefused(ValueError):
    """The archive is refused before it is parsed; the message says why."""


@dataclass(frozen=True)
class ArchiveLimits:
    """How much an archive may unpack to, in all and for each member, how many times larger
    than its packed size a member may be, and how many members it may hold."""

    unpacked: int = 20 * MIB
    member: int = 20 * MIB
    ratio: int = 100
    members: int = 1000
    # The ratio is not asked of small members: a short, repetitive XML file packs very well.
    ratio_from: int = 1 * MIB


WORKBOOK = ArchiveLimits()


def check_archive(
    archive: zipfile.ZipFile, limits: ArchiveLimits = WORKBOOK, *, xml: bool = False
) -> None:
    """Refuse ``archive`` (``ArchiveRefused``) if any member's declared or actual unpacked size,
    or its compression ratio, is over ``limits``; with ``xml``, also if an XML member has a
    DOCTYPE (entity expansion and external entities). Each member is unpacked in chunks and
    counted, stopping at the first limit, so a forged header cannot hide its true size."""
    members = check_headers(archive, limits)
    for member in members:
        is_xml = xml and member.filename.endswith((".xml", ".rels"))
        _read_within(archive, member, limits, xml=is_xml)


def check_headers(archive: zipfile.ZipFile, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    """The archive's members, refused (``ArchiveRefused``) if their number, a declared size or
    a ratio is over ``limits``, or if a name is there twice."""
    members = archive.infolist()
    if len(members) > limits.members:
        raise ArchiveRefused(f"The file holds more than {limits.members:,} parts.")
    twice = sorted(name for name, n in Counter(m.filename for m in members).items() if n > 1)
    if twice:
        raise ArchiveRefused(f"It holds {twice[0]!r} twice, so which one is meant is unclear.")
    declared = 0
    for member in members:
        declared += member.file_size
        _check_size(member.filename, member.file_size, member.compress_size, limits)
        if declared > limits.unpacked:
            raise ArchiveRefused(
                f"The file unpacks to more than {limits.unpacked // MIB} MB, more than this "
                "service reads."
            )
    return members


def _check_size(name: str, size: int, packed: int, limits: ArchiveLimits) -> None:
    if size > limits.member:
        raise ArchiveRefused(
            f"Its part {name!r} unpacks to more than {limits.member // MIB} MB, more than this "
            "service reads."
        )
    if size >= limits.ratio_from and size > limits.ratio * max(packed, 1):
        raise ArchiveRefused(
            f"Its part {name!r} unpacks to more than {limits.ratio} times its packed size: it "
            "looks like a zip bomb, so it was not opened."
        )


def _read_within(
    archive: zipfile.ZipFile, member: zipfile.ZipInfo, limits: ArchiveLimits, *, xml: bool
) -> None:
    read, tail = 0, b""
    try:
        with archive.open(member) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                _check_size(member.filename, read, member.compress_size, limits)
                if xml and DOCTYPE in tail + chunk:
                    raise ArchiveRefused(
                        f"Its part {member.filename!r} declares a DOCTYPE, which a workbook "
                        "never has (it can hide entity expansion or external entities), so it "
                        "was not opened."
                    )
                tail = chunk[-len(DOCTYPE) :]
    except ArchiveRefused:
        raise
    except UNPACKING_ERRORS as error:  # damaged, truncated, encrypted or of an unknown method
        raise ArchiveRefused(f"Its part {member.filename!r} cannot be unpacked: {error}.") from None
