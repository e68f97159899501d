"""Upload checks: size, type by content sniffing, and safe file names (SECURITY-TESTS 16).

The type of an upload is decided by its bytes, never by its name or the browser's content
type. Allowed: PDF, Word (DOCX), OpenDocument text (ODT), PNG, JPEG, plain text and CSV.
Everything else is refused with a message the uploader can act on: web pages (HTML), SVG,
scripts, executables, archives, polyglots (a file that is valid as two types), zip bombs and
nested archives. The name must agree with the content (a PDF called ``report.exe`` is
refused), and the stored name is stripped of paths and control characters.

Accepted files are still stored encrypted and served only as attachments with
``X-Content-Type-Options: nosniff`` and the marking in the file name
(``download_filename``, ``content_disposition``).
"""

from __future__ import annotations

import csv
import io
import logging
import os
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol
from urllib.parse import quote

from django.conf import settings
from django.http import HttpResponse

logger = logging.getLogger(__name__)

MEGABYTE = 1024 * 1024
DEFAULT_MAX_BYTES = 25 * MEGABYTE
DEFAULT_MAX_UNPACKED_BYTES = 100 * MEGABYTE
DEFAULT_MAX_ZIP_ENTRIES = 1000
MAX_NAME_LENGTH = 120
MAX_DOWNLOAD_NAME_LENGTH = 200
_READ_CHUNK = 64 * 1024

ALLOWED_SUMMARY = "a PDF, Word (DOCX), OpenDocument text (ODT), PNG, JPEG, plain text or CSV file"


class UploadRefused(Exception):
    """The upload is refused; ``message`` is shown to the uploader as it is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UploadTooLarge(UploadRefused):
    """Refused for its size alone (the API answers 413, the pages the same message)."""


class UploadKind(StrEnum):
    PDF = "pdf"
    DOCX = "docx"
    ODT = "odt"
    PNG = "png"
    JPEG = "jpeg"
    TEXT = "text"
    CSV = "csv"


MIME_TYPES: dict[UploadKind, str] = {
    UploadKind.PDF: "application/pdf",
    UploadKind.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    UploadKind.ODT: "application/vnd.oasis.opendocument.text",
    UploadKind.PNG: "image/png",
    UploadKind.JPEG: "image/jpeg",
    UploadKind.TEXT: "text/plain; charset=utf-8",
    UploadKind.CSV: "text/csv; charset=utf-8",
}

#: The extensions a name may have for each kind; the first is added to names without one.
EXTENSIONS: dict[UploadKind, tuple[str, ...]] = {
    UploadKind.PDF: (".pdf",),
    UploadKind.DOCX: (".docx",),
    UploadKind.ODT: (".odt",),
    UploadKind.PNG: (".png",),
    UploadKind.JPEG: (".jpg", ".jpeg", ".jpe"),
    UploadKind.TEXT: (".txt", ".text", ".log"),
    UploadKind.CSV: (".csv",),
}
_KNOWN_EXTENSIONS = {ext: kind for kind, exts in EXTENSIONS.items() for ext in exts}

#: Names that say "this is something we refuse", whatever the content looks like.
_REFUSED_EXTENSIONS: dict[str, str] = {
    **dict.fromkeys(
        (".htm", ".html", ".xhtml", ".shtml", ".mht", ".mhtml", ".hta", ".xml", ".xsl", ".xslt"),
        "Web pages (HTML) and XML files are not accepted.",
    ),
    **dict.fromkeys((".svg", ".svgz"), "SVG images are not accepted: save it as PNG or JPEG."),
    **dict.fromkeys(
        (
            ".js",
            ".mjs",
            ".cjs",
            ".vbs",
            ".vbe",
            ".jse",
            ".wsf",
            ".wsh",
            ".ps1",
            ".psm1",
            ".bat",
            ".cmd",
            ".sh",
            ".bash",
            ".zsh",
            ".py",
            ".pyw",
            ".pl",
            ".rb",
            ".php",
            ".jsp",
            ".asp",
            ".aspx",
            ".lua",
            ".applescript",
            ".scpt",
        ),
        "Scripts are not accepted.",
    ),
    **dict.fromkeys(
        (
            ".exe",
            ".dll",
            ".com",
            ".scr",
            ".msi",
            ".msp",
            ".cpl",
            ".sys",
            ".bin",
            ".elf",
            ".so",
            ".dylib",
            ".app",
            ".apk",
            ".jar",
            ".class",
            ".lnk",
            ".reg",
            ".pif",
            ".dmg",
            ".deb",
            ".rpm",
        ),
        "Programs and executable files are not accepted.",
    ),
    **dict.fromkeys(
        (
            ".zip",
            ".7z",
            ".rar",
            ".gz",
            ".tgz",
            ".bz2",
            ".xz",
            ".tar",
            ".cab",
            ".iso",
            ".img",
            ".zst",
        ),
        "Archives (such as ZIP files) are not accepted: upload each document separately.",
    ),
    **dict.fromkeys(
        (".docm", ".dotm", ".xlsm", ".pptm", ".odm"),
        "Documents with macros are not accepted: save it as a DOCX or ODT without macros.",
    ),
}

#: Part names inside a DOCX or ODT that mean an embedded archive, program or document.
_NESTED_EXTENSIONS = {
    extension
    for extension, message in _REFUSED_EXTENSIONS.items()
    if not message.startswith(("Web pages", "SVG"))
} | {".docx", ".xlsx", ".pptx", ".odt", ".ods", ".odp", ".doc", ".xls", ".ppt", ".pdf"}

_WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


@dataclass(frozen=True)
class CheckedUpload:
    kind: UploadKind
    mime_type: str
    safe_name: str
    size: int


# --- Settings -------------------------------------------------------------------------------


def _limit(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        text = os.environ.get(name, "")
        value = int(text) if text.strip() else default
    return int(value)


def upload_max_bytes() -> int:
    """``JOINTCASE_UPLOAD_MAX_BYTES`` (setting, else environment), default 25 MB."""
    return _limit("JOINTCASE_UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES)


def _megabytes(size: int) -> str:
    value = size / MEGABYTE
    return f"{value:.0f}" if value >= 10 or value == int(value) else f"{value:.1f}"


# --- Names ----------------------------------------------------------------------------------


def _split_extension(name: str) -> tuple[str, str]:
    match = re.search(r"(\.[A-Za-z0-9]{1,12})$", name)
    if not match or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group(1).lower()


def safe_filename(name: str, *, max_length: int = MAX_NAME_LENGTH) -> str:
    """A name safe to store and to put in a header: no path, no control or invisible
    characters (a right-to-left override can make ``fdp.exe`` read as ``exe.pdf``), no
    characters Windows refuses, no leading dots, at most ``max_length`` characters with the
    extension kept."""
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(
        char
        for char in text
        if unicodedata.category(char) not in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
    )
    text = re.sub(r'[<>:"|?*;]', "_", text)
    text = re.sub(r"\s+", " ", text).strip(" .")
    stem, extension = _split_extension(text)
    if stem.split(".")[0].strip().upper() in _WINDOWS_RESERVED:
        stem = "_" + stem
    if not stem:
        stem = "upload"
    stem = stem[: max(1, max_length - len(extension))].rstrip(" .") or "upload"
    return stem + extension


def _name_for_kind(name: str, kind: UploadKind) -> str:
    extension = _split_extension(name)[1]
    if extension in EXTENSIONS[kind]:
        return name
    if extension in _REFUSED_EXTENSIONS:
        raise UploadRefused(
            f"The file name ends in {extension} but its content is {_described(kind)}. "
            + _REFUSED_EXTENSIONS[extension]
        )
    if extension in _KNOWN_EXTENSIONS:
        raise UploadRefused(
            f"The file name ends in {extension} but its content is {_described(kind)}. "
            "Check you selected the right file."
        )
    return safe_filename(name + EXTENSIONS[kind][0])


def _described(kind: UploadKind) -> str:
    return {
        UploadKind.PDF: "a PDF",
        UploadKind.DOCX: "a Word (DOCX) document",
        UploadKind.ODT: "an OpenDocument text (ODT) document",
        UploadKind.PNG: "a PNG image",
        UploadKind.JPEG: "a JPEG image",
        UploadKind.TEXT: "plain text",
        UploadKind.CSV: "CSV",
    }[kind]


def download_filename(*, safe_name: str, classification: str, caveats: tuple[str, ...] = ()) -> str:
    """The name a download is saved under, marking first: ``SECRET - report.pdf``."""
    marking = " ".join([classification, *sorted(caveats)])
    marking = safe_filename(marking, max_length=80)
    return safe_filename(f"{marking} - {safe_name}", max_length=MAX_DOWNLOAD_NAME_LENGTH)


def content_disposition(filename: str) -> str:
    """``Content-Disposition`` for an attachment (RFC 6266): an ASCII ``filename`` fallback
    and the exact UTF-8 name in ``filename*`` (RFC 5987 percent-encoding)."""
    name = safe_filename(filename, max_length=MAX_DOWNLOAD_NAME_LENGTH)
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    fallback = re.sub(r"[^A-Za-z0-9 ._()\[\]+,=@'&!#$%^~-]", "_", folded).strip() or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def attachment_response(content: bytes, *, filename: str, mime: str) -> HttpResponse:
    """A download: an attachment (never rendered inline), no sniffing, no caching, and a
    sandbox should a browser render it anyway. Pages and the API serve files only this way."""
    response = HttpResponse(content, content_type=mime)
    response["Content-Disposition"] = content_disposition(filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


# --- Sniffing -------------------------------------------------------------------------------

_MARKUP_ANYWHERE = re.compile(
    rb"<(?:script|html|svg|iframe|frameset|object|embed|body|!doctype\s+html)[\s>/]",
    re.IGNORECASE,
)
_MARKUP_START = re.compile(
    rb"^\s*<(?:(?:!doctype\s+html|html|head|script|iframe|h1|div|font|table|a|style|title|b|"
    rb"body|br|p|svg|math|object|embed|form|img|meta|link)(?:[\s>/]|$)|!--|\?xml)",
    re.IGNORECASE,
)
_PDF_ACTIVE = re.compile(
    rb"/(?:JavaScript|JS|Launch|EmbeddedFiles?|RichMedia|SubmitForm)(?![A-Za-z])"
)
_PDF_ESCAPED_NAME = re.compile(rb"/[^\s/<>\[\]()%{}]*#[0-9A-Fa-f]{2}[^\s/<>\[\]()%{}]*")

_EXECUTABLE_MAGIC = (
    b"MZ",  # Windows PE
    b"\x7fELF",
    b"\xfe\xed\xfa\xce",
    b"\xfe\xed\xfa\xcf",
    b"\xce\xfa\xed\xfe",
    b"\xcf\xfa\xed\xfe",
    b"\xca\xfe\xba\xbe",  # Mach-O universal, Java class
    b"\x00asm",
    b"dex\n",
)
_ARCHIVE_MAGIC = (
    b"\x1f\x8b",
    b"7z\xbc\xaf\x27\x1c",
    b"Rar!\x1a\x07",
    b"BZh",
    b"\xfd7zXZ\x00",
    b"(\xb5/\xfd",
    b"MSCF",
    b"PK\x05\x06",
    b"PK\x07\x08",
)
_BINARY_BYTE = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_NESTED_MAGIC = (b"PK\x03\x04", *_ARCHIVE_MAGIC, b"\xd0\xcf\x11\xe0", *_EXECUTABLE_MAGIC[1:])


def _refuse_type(detail: str = "") -> UploadRefused:
    return UploadRefused(
        (detail + " " if detail else "") + f"The selected file must be {ALLOWED_SUMMARY}."
    )


def _no_markup_head(content: memoryview, what: str) -> None:
    if _MARKUP_ANYWHERE.search(bytes(content[:1024])):
        raise _refuse_type(
            f"The file looks like {what} but contains web page code, so it is not accepted."
        )


def sniff(content: bytes | bytearray | memoryview, *, name_hint: str = "") -> UploadKind:
    """The kind of ``content`` judged by its bytes; ``UploadRefused`` for anything else.

    ``name_hint`` only chooses between the two text kinds (``.csv`` asks for CSV parsing).
    """
    view = memoryview(content)
    head = bytes(view[:16])
    if head.startswith(b"%PDF-"):
        _check_pdf(view)
        return UploadKind.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        _check_png(view)
        return UploadKind.PNG
    if head.startswith(b"\xff\xd8\xff"):
        _check_jpeg(view)
        return UploadKind.JPEG
    if head.startswith(b"PK\x03\x04"):
        return _check_zip_document(view)
    # The signatures below are only believed when the start is not text (``MZ``, ``BM`` or
    # ``GIF8`` can begin a line of notes); binary starts that match none are refused as
    # binary by the text check anyway.
    if _BINARY_BYTE.search(bytes(view[:64])):
        if head.startswith(_EXECUTABLE_MAGIC):
            raise _refuse_type("Programs and executable files are not accepted.")
        if head.startswith(_ARCHIVE_MAGIC) or bytes(view[257:262]) == b"ustar":
            raise _refuse_type("Archives are not accepted: upload each document separately.")
        if head.startswith(b"\xd0\xcf\x11\xe0"):
            raise _refuse_type(
                "Old Office formats (such as .doc) are not accepted: save it as DOCX."
            )
        if head.startswith((b"GIF8", b"II*\x00", b"MM\x00*", b"BM", b"RIFF")):
            raise _refuse_type("This type of image or media file is not accepted.")
    return _check_text(view, csv_expected=_split_extension(safe_filename(name_hint))[1] == ".csv")


def _check_pdf(view: memoryview) -> None:
    _no_markup_head(view, "a PDF")
    data = view.tobytes()
    if b"%%EOF" not in data[-2048:]:
        raise _refuse_type("The PDF is incomplete or damaged.")
    names = [match.group(0) for match in _PDF_ESCAPED_NAME.finditer(data)]
    decoded = b" ".join(
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), name)
        for name in names
    )
    if _PDF_ACTIVE.search(data) or _PDF_ACTIVE.search(decoded):
        raise _refuse_type(
            "PDFs with scripts, launch actions or embedded files are not accepted: "
            "print it to a new PDF first."
        )


def _check_png(view: memoryview) -> None:
    """Walk every chunk: IHDR first, valid CRCs, IEND last, nothing after it."""
    _no_markup_head(view, "a PNG image")
    position = 8
    first = True
    total = view.nbytes
    while True:
        if position + 12 > total:
            raise _refuse_type("The PNG image is damaged.")
        length, chunk_type = struct.unpack(">I4s", view[position : position + 8])
        end = position + 12 + length
        if end > total or not chunk_type.isalpha():
            raise _refuse_type("The PNG image is damaged.")
        if first and (chunk_type != b"IHDR" or length != 13):
            raise _refuse_type("The PNG image is damaged.")
        first = False
        (crc,) = struct.unpack(">I", view[end - 4 : end])
        if zlib.crc32(view[position + 4 : end - 4]) != crc:
            raise _refuse_type("The PNG image is damaged.")
        position = end
        if chunk_type == b"IEND":
            break
    if position != total:
        raise _refuse_type("The PNG image has other data hidden after its end.")
    if _MARKUP_ANYWHERE.search(view):
        raise _refuse_type("The image contains web page code, so it is not accepted.")


def _check_jpeg(view: memoryview) -> None:
    """Walk the segments up to the scan; the image must end with EOI and nothing after it."""
    _no_markup_head(view, "a JPEG image")
    total = view.nbytes
    position = 2
    while True:
        if position + 4 > total or view[position] != 0xFF:
            raise _refuse_type("The JPEG image is damaged.")
        marker = view[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9 or 0xD0 <= marker <= 0xD7 or marker == 0x01:
            raise _refuse_type("The JPEG image is damaged.")
        (length,) = struct.unpack(">H", view[position + 2 : position + 4])
        if length < 2 or position + 2 + length > total:
            raise _refuse_type("The JPEG image is damaged.")
        position += 2 + length
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            break
    data = view.tobytes()
    end = data.rfind(b"\xff\xd9")
    if end < position:
        raise _refuse_type("The JPEG image is damaged.")
    if data[end + 2 :].strip(b"\x00\r\n\t "):
        raise _refuse_type("The JPEG image has other data hidden after its end.")
    if _MARKUP_ANYWHERE.search(data):
        raise _refuse_type("The image contains web page code, so it is not accepted.")


_OTHER_OFFICE = "Spreadsheets, presentations and other office files are not accepted."


_ZIP_BOMB = (
    "The document expands to far more than its size (a possible zip bomb), so it is not accepted."
)
_EMBEDDED = (
    "Documents with embedded files or archives are not accepted: save it without embedded objects."
)
_MACROS = "Documents with macros are not accepted: save it without macros."
#: The parts read back after decompression to tell a DOCX from an ODT.
_KEPT_PARTS = frozenset({"[Content_Types].xml", "mimetype"})


def _check_zip_document(view: memoryview) -> UploadKind:
    """DOCX or ODT, decompressed under a budget (zip bombs) with no nested archives."""
    _no_markup_head(view, "a document")
    max_unpacked = _limit("JOINTCASE_UPLOAD_MAX_UNPACKED_BYTES", DEFAULT_MAX_UNPACKED_BYTES)
    max_entries = _limit("JOINTCASE_UPLOAD_MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES)
    try:
        archive = zipfile.ZipFile(io.BytesIO(view))
        infos = archive.infolist()
    except Exception as error:  # any parse failure of an untrusted archive: refuse it
        raise _refuse_type("The document is damaged.") from error
    names = [info.filename for info in infos]
    _check_zip_listing(archive, infos, names, max_entries, max_unpacked)
    parts: dict[str, bytes] = {}
    budget = [max_unpacked]  # bytes still allowed to unpack, over all the parts
    for info in infos:
        _check_zip_part_name(info)
        kept = _read_zip_part(archive, info, budget)
        if info.filename in _KEPT_PARTS:
            parts[info.filename] = kept
    return _zip_document_kind(parts, names)


def _check_zip_listing(
    archive: zipfile.ZipFile,
    infos: list[zipfile.ZipInfo],
    names: list[str],
    max_entries: int,
    max_unpacked: int,
) -> None:
    """What the archive's directory alone gives away: too many parts, a hidden comment,
    repeated names, a plain archive or another office format, a declared size over budget."""
    if len(infos) > max_entries:
        raise _refuse_type(f"The document has more than {max_entries} parts.")
    if archive.comment:
        raise _refuse_type("The document carries hidden data in its archive comment.")
    if len(set(names)) != len(names):
        raise _refuse_type("The document is damaged (it repeats a part name).")
    if "[Content_Types].xml" not in names and "mimetype" not in names:
        raise _refuse_type(
            "Archives (such as ZIP files) are not accepted: upload each document separately."
        )
    if "[Content_Types].xml" in names and not any(n.startswith("word/") for n in names):
        raise _refuse_type(_OTHER_OFFICE)
    if sum(info.file_size for info in infos) > max_unpacked:
        raise _refuse_type(_ZIP_BOMB)


def _check_zip_part_name(info: zipfile.ZipInfo) -> None:
    """One part by its name and flags: no unsafe path, encryption, macros or embedded file."""
    name = info.filename
    lowered = name.lower()
    if name.startswith(("/", "\\")) or ".." in re.split(r"[/\\]", name) or ":" in name:
        raise _refuse_type("The document contains a part with an unsafe path.")
    if info.flag_bits & 0x1:
        raise _refuse_type("Password-protected documents are not accepted.")
    if "vbaproject" in lowered or lowered.startswith(("basic/", "scripts/")):
        raise _refuse_type(_MACROS)
    embedded_name = _split_extension(lowered)[1] in _NESTED_EXTENSIONS
    if lowered.startswith("word/embeddings/") or embedded_name:
        raise _refuse_type(_EMBEDDED)


def _read_zip_part(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: list[int]) -> bytes:
    """Decompress one part in chunks, spending ``budget`` (refused once it runs out, whatever
    the directory declared); a nested archive by its magic bytes is refused. Returns the first
    megabyte of a part in ``_KEPT_PARTS`` (nothing of the others)."""
    keep = info.filename in _KEPT_PARTS
    kept = bytearray()
    try:
        with archive.open(info) as handle:
            first = True
            while chunk := handle.read(_READ_CHUNK):
                if first and chunk.startswith(_NESTED_MAGIC):
                    raise _refuse_type(_EMBEDDED)
                first = False
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise _refuse_type(_ZIP_BOMB)
                if keep and len(kept) < MEGABYTE:
                    kept += chunk
    except UploadRefused:
        raise
    except Exception as error:  # bad CRC, bad deflate data, unsupported method...
        raise _refuse_type("The document is damaged.") from error
    return bytes(kept)


def _zip_document_kind(parts: dict[str, bytes], names: list[str]) -> UploadKind:
    """A Word document without macros, or an OpenDocument text; any other office file is
    refused."""
    if "[Content_Types].xml" in parts and any(n.startswith("word/") for n in names):
        content_types = parts["[Content_Types].xml"]
        if b"macroEnabled" in content_types:
            raise _refuse_type(_MACROS)
        if b"wordprocessingml.document.main+xml" not in content_types:
            raise _refuse_type("The Word document is damaged.")
        return UploadKind.DOCX
    odt_mimetype = parts.get("mimetype") == MIME_TYPES[UploadKind.ODT].encode("ascii")
    if odt_mimetype and "content.xml" in names:
        return UploadKind.ODT
    raise _refuse_type(_OTHER_OFFICE)


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _check_text(view: memoryview, *, csv_expected: bool) -> UploadKind:
    try:
        text = str(view, "utf-8")
    except UnicodeDecodeError as error:
        raise _refuse_type("The file is not a document or image we accept.") from error
    text = text.removeprefix("\ufeff")
    if "\x00" in text or _CONTROL.search(text):
        raise _refuse_type("The file contains binary data.")
    head = text[:1024].encode("utf-8")
    if head.lstrip().startswith(b"#!"):
        raise _refuse_type("Scripts are not accepted.")
    if _MARKUP_START.search(head) or _MARKUP_ANYWHERE.search(head):
        raise _refuse_type("Web pages (HTML), SVG and XML files are not accepted.")
    if not text.strip():
        raise UploadRefused("The selected file is empty.")
    if csv_expected:
        try:
            rows = sum(1 for _ in csv.reader(io.StringIO(text, newline=""), strict=True))
        except csv.Error as error:
            raise UploadRefused(f"The selected file is not valid CSV: {error}.") from error
        if rows == 0:
            raise UploadRefused("The selected file is empty.")
        return UploadKind.CSV
    return UploadKind.TEXT


# --- The check ------------------------------------------------------------------------------


class _UploadedFile(Protocol):
    name: str | None
    size: int | None

    def read(self, size: int = -1, /) -> bytes: ...


def upload_check(
    *, content: bytes | bytearray | memoryview | _UploadedFile, name: str | None = None
) -> CheckedUpload:
    """Check an upload; ``CheckedUpload`` or ``UploadRefused(message)``.

    ``content`` is the bytes or a Django ``UploadedFile`` (refused by its size before it is
    read). ``name`` defaults to the uploaded file's name; it is only a hint for CSV and must
    agree with the content.
    """
    limit = upload_max_bytes()
    too_large = UploadTooLarge(f"The selected file must be smaller than {_megabytes(limit)} MB.")
    if isinstance(content, (bytes, bytearray, memoryview)):
        data: bytes | bytearray | memoryview = content
    else:
        name = name if name is not None else (content.name or "")
        if content.size is not None and content.size > limit:
            raise too_large
        data = content.read(limit + 1)
    size = memoryview(data).nbytes
    if size > limit:
        raise too_large
    if size == 0:
        raise UploadRefused("The selected file is empty.")
    stored_name = safe_filename(name or "")
    try:
        kind = sniff(data, name_hint=stored_name)
    except UploadRefused:
        raise
    except Exception as error:  # fail closed: a file the checks cannot judge is refused
        logger.exception("upload check failed on a %s-byte file", size)
        raise UploadRefused(
            f"The selected file could not be checked. It must be {ALLOWED_SUMMARY}."
        ) from error
    return CheckedUpload(
        kind=kind,
        mime_type=MIME_TYPES[kind],
        safe_name=_name_for_kind(stored_name, kind),
        size=size,
    )
