"""Stored files: a school's or a class's uploads («Файлы»), named safely, of allowed types.

The content is kept by the file's generated id, never by the name the client gave: the name
is only shown (sanitised) and sent back in `Content-Disposition` on download.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum
from uuid import UUID

import msgspec
from eventsourcing.domain import event

from domain.base import JournalAggregate
from domain.errors import InvalidValue, NotFound, RuleViolated

MAX_NAME_LENGTH = 180
DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024


class FileNotFound(NotFound):
    pass


class FileTooLarge(RuleViolated):
    title = "The file is too large"


class OwnerKind(StrEnum):
    SCHOOL = "school"
    CLASS = "class"


class FileOwner(msgspec.Struct, frozen=True):
    """Whose «Файлы» tab the file is in: the school's profile or a class page."""

    kind: OwnerKind
    id: UUID


# The allow-list: documents, images, audio and video, archives; each type with the
# extensions a file of that type may carry (the name must agree with the declared type).
ALLOWED_TYPES: dict[str, tuple[str, ...]] = {
    "application/pdf": ("pdf",),
    "application/msword": ("doc",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ("docx",),
    "application/vnd.ms-excel": ("xls",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ("xlsx",),
    "application/vnd.ms-powerpoint": ("ppt",),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ("pptx",),
    "application/vnd.oasis.opendocument.text": ("odt",),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods",),
    "application/vnd.oasis.opendocument.presentation": ("odp",),
    "application/rtf": ("rtf",),
    "text/plain": ("txt",),
    "text/csv": ("csv",),
    "image/jpeg": ("jpg", "jpeg"),
    "image/png": ("png",),
    "image/gif": ("gif",),
    "image/webp": ("webp",),
    "image/bmp": ("bmp",),
    "image/tiff": ("tif", "tiff"),
    "audio/mpeg": ("mp3",),
    "audio/mp4": ("m4a",),
    "audio/ogg": ("ogg", "oga"),
    "audio/wav": ("wav",),
    "audio/webm": ("weba",),
    "audio/flac": ("flac",),
    "video/mp4": ("mp4", "m4v"),
    "video/webm": ("webm",),
    "video/ogg": ("ogv",),
    "video/quicktime": ("mov",),
    "video/x-msvideo": ("avi",),
    "video/x-matroska": ("mkv",),
    "application/zip": ("zip",),
    "application/x-7z-compressed": ("7z",),
    "application/vnd.rar": ("rar",),
    "application/x-rar-compressed": ("rar",),
    "application/gzip": ("gz", "tgz"),
    "application/x-tar": ("tar",),
}

_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def sanitised_name(name: str) -> str:
    """The last path segment, NFC, without control or reserved characters, bounded length."""
    name = unicodedata.normalize("NFC", name)
    name = re.split(r"[/\\]", name)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    name = re.sub(r"\s+", " ", name)
    if not name or set(name) <= {"_"}:
        raise InvalidValue("name", "the file needs a name")
    if len(name) > MAX_NAME_LENGTH:
        _stem, dot, extension = name.rpartition(".")
        keep = extension if dot and len(extension) <= 10 else ""
        name = name[: MAX_NAME_LENGTH - len(keep) - 1].rstrip(" .")
        name += f".{keep}" if keep else ""
    return name


def checked_content_type(content_type: str, name: str) -> str:
    """An allowed type whose extensions include the name's."""
    media_type = content_type.split(";", 1)[0].strip().lower()
    extensions = ALLOWED_TYPES.get(media_type)
    if extensions is None:
        raise InvalidValue(
            "content_type", f"files of type {media_type or 'unknown'} are not accepted: "
            "documents, images, audio, video and archives are",
        )
    _, dot, extension = name.rpartition(".")
    if not dot or extension.lower() not in extensions:
        raise InvalidValue("name", f"a {media_type} file is named *.{' or *.'.join(extensions)}")
    return media_type


def checked_size(size: int, max_bytes: int) -> int:
    if size < 1:
        raise InvalidValue("size", "the file is empty")
    if size > max_bytes:
        raise FileTooLarge(
            f"a file may be at most {max_bytes} bytes", {"size": f"more than {max_bytes} bytes"}
        )
    return size


class StoredFile(JournalAggregate):
    id: UUID  # generated when the upload's space is reserved, before a byte is stored

    @event("Uploaded")
    def __init__(
        self, school_id: UUID, owner: FileOwner, name: str, content_type: str, size: int,
        sha256: str, uploaded_by: UUID | None,
    ) -> None:
        self.school_id, self.owner = school_id, owner
        self.name, self.content_type = name, content_type
        self.size, self.sha256 = size, sha256
        self.uploaded_by = uploaded_by
        self.deleted = False

    @property
    def key(self) -> str:
        """Where the content is stored: the generated id, never the client's name."""
        return str(self.id)

    def check_present(self) -> None:
        if self.deleted:
            raise FileNotFound(f"the file {self.id} was deleted", {"file_id": "deleted"})

    def check_uploaded_by(self, person_id: UUID, field: str = "file_id") -> None:
        """Files one hands in as one's own work (a homework result): one's own uploads."""
        if self.uploaded_by != person_id:
            raise RuleViolated("only files one uploaded oneself are handed in as one's work",
                               {field: "uploaded by someone else"})

    def delete(self, reason: str) -> None:
        self.check_present()
        self._deleted(reason=reason.strip() or "удалён")

    @event("Deleted")
    def _deleted(self, reason: str) -> None:
        self.deleted = True
