"""Tiny but valid files of every accepted type, and hostile ones, built in memory."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

DOCX_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" '
    b'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
DOCX_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)
DOCX_DOCUMENT = (
    b'<?xml version="1.0" encoding="UTF-8"?>'
    b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
    b"<w:body><w:p><w:r><w:t>Risk management plan</w:t></w:r></w:p></w:body></w:document>"
)


def pdf(extra: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n"
        b"1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]" + extra + b">>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(extra_chunks: bytes = b"") -> bytes:
    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + extra_chunks
        + _chunk(b"IDAT", zlib.compress(b"\x00\x80"))
        + _chunk(b"IEND", b"")
    )


def png_text_chunk(text: bytes) -> bytes:
    return _chunk(b"tEXt", b"Comment\x00" + text)


def jpeg(comment: bytes = b"") -> bytes:
    app0 = b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    segments = b"\xff\xe0" + struct.pack(">H", len(app0) + 2) + app0
    if comment:
        segments += b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment
    sof = b"\x08\x00\x01\x00\x01\x01\x01\x11\x00"
    segments += b"\xff\xc0" + struct.pack(">H", len(sof) + 2) + sof
    sos = b"\x01\x01\x00\x00\x3f\x00"
    segments += b"\xff\xda" + struct.pack(">H", len(sos) + 2) + sos
    return b"\xff\xd8" + segments + b"\xfb\xd3\x28\xa0\x02\x8a" + b"\xff\xd9"


def zip_of(
    parts: list[tuple[str, bytes]], *, stored_first: bool = False, comment: bytes = b""
) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for index, (name, data) in enumerate(parts):
            compression = (
                zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            )
            archive.writestr(zipfile.ZipInfo(name), data, compress_type=compression)
        archive.comment = comment
    return buffer.getvalue()


def docx(
    extra_parts: list[tuple[str, bytes]] | None = None, content_types: bytes = DOCX_CONTENT_TYPES
) -> bytes:
    return zip_of(
        [
            ("[Content_Types].xml", content_types),
            ("_rels/.rels", DOCX_RELS),
            ("word/document.xml", DOCX_DOCUMENT),
            *(extra_parts or []),
        ]
    )


def odt(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    return zip_of(
        [
            ("mimetype", mimetype),
            (
                "content.xml",
                b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
                b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
                b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
                b"<office:body><office:text><text:p>Meeting notes</text:p></office:text>"
                b"</office:body></office:document-content>",
            ),
            (
                "META-INF/manifest.xml",
                b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
                b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"/>',
            ),
        ],
        stored_first=True,
    )
