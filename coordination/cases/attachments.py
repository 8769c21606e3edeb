"""Attachments: checked by their content (not their name or the browser's word), stored
outside the web root under a random key, and served only through an access-checked view."""

import hashlib
import io
import secrets
import zipfile
from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_FILES = 5
ALLOWED_LABEL = "PDF, JPG, PNG, DOCX"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


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
    """The sender's file name reduced to something safe to show (never used as a path)."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if ch.isprintable() and ch not in '<>:"|?*').strip(" .")
    return name[:200] or "bilaga"


def check_files(files) -> tuple[list[CheckedFile], list[str]]:
    """Read and check uploaded files (werkzeug FileStorage). Returns the good files and a
    message per bad one; nothing is stored here."""
    checked, errors = [], []
    real = [f for f in files if f is not None and getattr(f, "filename", "")]
    if len(real) > MAX_FILES:
        errors.append(str(_l("At most %(n)s files can be attached.", n=MAX_FILES)))
        return [], errors
    for upload in real:
        name = display_name(upload.filename)
        data = upload.stream.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            errors.append(str(_l("%(name)s is larger than %(mb)s MB.", name=name, mb=MAX_FILE_BYTES // (1024 * 1024))))
            continue
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
