"""What a file really is, judged from its bytes: the format, whether the container is whole,
and whether anything is hidden after the picture (a polyglot: a JPEG with a zip or HTML
appended stays a "valid JPEG" to most decoders).

Pure functions over ``bytes``; they raise :class:`ContainerProblem` with the error code.
"""

from __future__ import annotations

import re
import struct

from backend.media.errors import MediaErrorCode

JPEG, PNG, WEBP, HEIC = "jpeg", "png", "webp", "heic"

# ISO-BMFF brands of HEIF images as phones write them (iPhone: heic + mif1).
HEIF_BRANDS = frozenset({b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"})

# In JPEG entropy-coded data 0xFF is followed by 0x00 (stuffing), a restart marker D0–D7 or a
# fill byte FF; anything else is the next real marker.
_NEXT_JPEG_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_PADDING = re.compile(rb"[\x00\r\n\t ]*")
# Trailing data may nest (an MPF preview followed by a motion-photo video) but not forever.
_MAX_TRAILERS = 4


class ContainerProblem(Exception):
    def __init__(self, code: MediaErrorCode) -> None:
        super().__init__(code.value)
        self.code = code


def sniff(data: bytes) -> str | None:
    """The image format from the magic bytes, or None when it is not one we accept."""
    if data[:3] == b"\xff\xd8\xff":
        return JPEG
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data[4:8] == b"ftyp" and _heif_brand(data):
        return HEIC
    return None


def _heif_brand(data: bytes) -> bool:
    size = struct.unpack(">I", data[:4])[0]
    if size < 16 or size > min(len(data), 4096):
        return False
    brands = [data[8:12]] + [data[i : i + 4] for i in range(16, size - 3, 4)]
    return any(brand in HEIF_BRANDS for brand in brands)


def check_container(data: bytes, fmt: str) -> None:
    """Walk the container to its end; refuse a cut-off file or foreign bytes after it."""
    end = {JPEG: _jpeg_end, PNG: _png_end, WEBP: _riff_end, HEIC: _bmff_end}[fmt](data, 0)
    _check_trailer(data, end, depth=0)


def _truncated() -> ContainerProblem:
    return ContainerProblem(MediaErrorCode.TRUNCATED)


def _corrupt() -> ContainerProblem:
    return ContainerProblem(MediaErrorCode.CORRUPT_IMAGE)


def _jpeg_end(data: bytes, start: int) -> int:
    size = len(data)
    if data[start : start + 2] != b"\xff\xd8":
        raise _corrupt()
    pos = start + 2
    while True:
        if pos + 2 > size:
            raise _truncated()
        if data[pos] != 0xFF:
            raise _corrupt()
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte before a marker
            pos += 1
            continue
        if marker == 0xD9:  # EOI
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:  # markers without a length
            pos += 2
            continue
        if pos + 4 > size:
            raise _truncated()
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if length < 2:
            raise _corrupt()
        pos += 2 + length
        if pos > size:
            raise _truncated()
        if marker == 0xDA:  # SOS: entropy-coded data runs until the next real marker
            found = _NEXT_JPEG_MARKER.search(data, pos)
            if found is None:
                raise _truncated()
            pos = found.start()


def _png_end(data: bytes, start: int) -> int:
    pos, size = start + 8, len(data)
    while True:
        if pos + 12 > size:
            raise _truncated()
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        pos += 12 + length
        if pos > size:
            raise _truncated()
        if kind == b"IEND":
            return pos


def _riff_end(data: bytes, start: int) -> int:
    if len(data) < start + 12:
        raise _truncated()
    length = struct.unpack("<I", data[start + 4 : start + 8])[0]
    end = start + 8 + length + (length & 1)
    if end > len(data):
        raise _truncated()
    return end


def _bmff_end(data: bytes, start: int) -> int:
    """Top-level ISO-BMFF boxes must tile the file exactly (HEIC, and MP4 motion photos)."""
    pos, size = start, len(data)
    while pos < size:
        if pos + 8 > size:
            raise _truncated()
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if not re.fullmatch(rb"[a-zA-Z0-9 _\-\xa9]{4}", kind):
            # Not a box: whatever follows the last real box is foreign data.
            if pos == start:
                raise _corrupt()
            return pos
        if length == 1:
            if pos + 16 > size:
                raise _truncated()
            length = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
        elif length == 0:  # box runs to the end of the file
            return size
        if length < 8:
            raise _corrupt()
        if pos + length > size:
            raise _truncated()
        pos += length
    return pos


def _check_trailer(data: bytes, pos: int, depth: int) -> None:
    """After the picture: padding, or what phones legitimately append — another JPEG (MPF
    previews, depth maps), an MP4 (motion photos), a Samsung SEFT trailer. Anything else
    (zip, HTML, PHP, PDF) makes the file a polyglot and it is refused."""
    if pos >= len(data):
        return
    if depth >= _MAX_TRAILERS:
        raise ContainerProblem(MediaErrorCode.TRAILING_DATA)
    # Box headers and Samsung blocks may start with zero bytes: look for them before padding.
    if _is_samsung_trailer(data, pos):
        return
    if data[pos + 4 : pos + 8] != b"ftyp":
        pos = _PADDING.match(data, pos).end()  # type: ignore[union-attr]
        if pos >= len(data):
            return
    if data[pos : pos + 3] == b"\xff\xd8\xff":
        try:
            end = _jpeg_end(data, pos)
        except ContainerProblem:
            raise ContainerProblem(MediaErrorCode.TRAILING_DATA) from None
        return _check_trailer(data, end, depth + 1)
    if data[pos + 4 : pos + 8] == b"ftyp":
        try:
            end = _bmff_end(data, pos)
        except ContainerProblem:
            raise ContainerProblem(MediaErrorCode.TRAILING_DATA) from None
        return _check_trailer(data, end, depth + 1)
    if _is_samsung_trailer(data, pos):
        return
    raise ContainerProblem(MediaErrorCode.TRAILING_DATA)


def _is_samsung_trailer(data: bytes, pos: int) -> bool:
    # Samsung cameras append data blocks and a directory: ... "SEFH" ver count entries...
    # <directory length> "SEFT". Each entry (12 bytes) holds the block's distance back from
    # the directory; the earliest block must start exactly where the trailer starts.
    if len(data) - pos < 16 or data[-4:] != b"SEFT":
        return False
    directory_length = struct.unpack("<I", data[-8:-4])[0]
    directory = len(data) - 8 - directory_length
    if directory < pos or data[directory : directory + 4] != b"SEFH":
        return False
    count = struct.unpack("<I", data[directory + 8 : directory + 12])[0]
    entries = data[directory + 12 : directory + 12 + 12 * count]
    if count == 0 or len(entries) != 12 * count:
        return False
    offsets = [struct.unpack("<I", entries[i + 4 : i + 8])[0] for i in range(0, len(entries), 12)]
    return directory - max(offsets) == pos
