"""Attachments: checked by their content (not their name or the browser's word), stored
outside the web root under a random key, and served only through an access-checked view."""

import hashlib
import io
import secrets
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

from coordination.i18n import lazy_gettext as _l

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
# All files of one form together. The request limit (MAX_CONTENT_LENGTH) sits a little above it,
# so a form within it always comes back with a message and the typed text kept.
MAX_TOTAL_BYTES = MAX_FILES * MAX_FILE_BYTES
MAX_NAME = 200
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# What a stored file is served as: only what sniff() can answer, anything else as bare bytes.
SAFE_TYPES = {"application/pdf", "image/png", "image/jpeg", DOCX_TYPE}


@dataclass
class CheckedFile:
    filename: str
    content_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, among the allowed ones, or None."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return None
        if "word/document.xml" in names and "[Content_Types].xml" in names:
            return DOCX_TYPE
    return None


def display_name(filename: str) -> str:
    """The sender's file name reduced to something safe to show (never used as a path): the
    last path segment, without control, direction-override or zero-width characters, at most
    MAX_NAME characters with its extension kept."""
    name = unicodedata.normalize("NFC", filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(" " if ch.isspace() else ch for ch in name)
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = stem[:MAX_NAME - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            name = name[:MAX_NAME].rstrip(" .")
    return name or "bilaga"


def check_files(files) -> tuple[list[CheckedFile], list[str]]:
    """Read and check uploaded files (werkzeug FileStorage). Returns the good files and a
    message per bad one; nothing is stored here."""
    checked, errors = [], []
    real = [f for f in files if f is not None and getattr(f, "filename", "")]
    if len(real) > MAX_FILES:
        errors.append(str(_l("At most %(n)s files can be attached.", n=MAX_FILES)))
        return [], errors
    total = 0
    for upload in real:
        name = display_name(upload.filename)
        data = upload.stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            errors.append(str(_l("%(name)s is larger than %(mb)s MB.", name=name, mb=MAX_FILE_BYTES // (1024 * 1024))))
            continue
        total += len(data)
        if total > MAX_TOTAL_BYTES:
            errors.append(str(_l("The files are larger than %(mb)s MB together.", mb=MAX_TOTAL_BYTES // (1024 * 1024))))
            break
        if not data:
            errors.append(str(_l("%(name)s is empty.", name=name)))
            continue
        content_type = sniff(data)
        if content_type is None:
            errors.append(str(_l("%(name)s is not a PDF, JPG, PNG or DOCX file.", name=name)))
            continue
        checked.append(CheckedFile(filename=name, content_type=content_type, data=data))
    return checked, errors


class AttachmentStore:
    """Files on disk under `root`, named by random keys."""

    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError("bad storage key")
        return self.root / key[:2] / key

    def save(self, data: bytes) -> str:
        key = secrets.token_hex(24)
        target = self.path(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_suffix(".part")
        temporary.write_bytes(data)
        temporary.replace(target)
        return key

    def read(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def delete(self, key: str) -> None:
        self.path(key).unlink(missing_ok=True)
