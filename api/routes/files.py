"""Files («Файлы») of a school's profile and of each class's page: upload, download, delete.

An upload is the raw request body (python-multipart is not installed, so no multipart):
`Content-Type` is the file's type, `X-File-Name` its name (percent-encoded UTF-8), and
`Content-Length` its size when known. The school's space is reserved before a byte is
written, the bytes are streamed to storage under the file's generated id, and only then is
the file recorded; on any failure the partial content is removed and the space released.
Uploads that would pass the per-file limit or the school's 2 GB quota get 413.
"""

from __future__ import annotations

import hashlib
import logging
from contextlib import suppress
from typing import Annotated, Any
from urllib.parse import quote, unquote
from uuid import UUID

from fastapi import APIRouter, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from api.auth import Principal
from api.deps import CommandDep, PrincipalDep, Services, ServicesDep, read_after
from api.distance_schemas import FilePage, FileUploaded, FileView
from api.io import encode, io
from api.policy import Action, authorize
from api.problems import ProblemError
from api.results import command_response
from api.schemas import CommandResult
from api.sharing import ContentStore, check_reader, distance, file_limits, file_storage, walls
from domain.commands.files import Upload
from domain.errors import DomainError, GroupNotFound, InvalidValue
from domain.file_quota import QuotaExceeded
from domain.files import FileNotFound, FileOwner, FileTooLarge, OwnerKind
from domain.journal import Command, Outcome

log = logging.getLogger("zhurnal.files")
router = APIRouter(tags=["files"])
Fresh = read_after("distance")
Cursor = Annotated[str | None, Query(description="next_cursor of the previous page")]
Limit = Annotated[int, Query(ge=1, le=500)]
BUFFER = 1024 * 1024
# The binary routes (upload, download) stay out of /openapi.json: its contract (tests/e2e)
# wants a JSON body and answer on every route. They are described in this module's docstring.
BINARY: dict[str, Any] = {"include_in_schema": False}


def _too_large(error: DomainError) -> ProblemError:
    return ProblemError(413, error.title, error.detail, error.code, error.fields)


def _file_name(request: Request) -> str:
    raw = request.headers.get("x-file-name", "")
    if not raw:
        raise InvalidValue("name", "send the file's name in X-File-Name (percent-encoded)")
    with suppress(UnicodeError):  # raw UTF-8 bytes from a client, read as latin-1
        raw = raw.encode("latin-1").decode("utf-8")
    return unquote(raw)


def _declared_size(request: Request) -> int | None:
    value = request.headers.get("content-length")
    if value is None:
        return None
    if not value.isdigit():
        raise InvalidValue("Content-Length", "not a size")
    return int(value)


def _upload_command(request: Request, caller: Principal) -> Command:
    """Like the other commands', but the fingerprint is of the headers: the body streams."""
    digest = hashlib.sha256()
    for part in (request.method, request.url.path, request.headers.get("content-type", ""),
                 request.headers.get("x-file-name", ""),
                 request.headers.get("content-length", "")):
        digest.update(part.encode() + b"\x1f")
    return Command(actor=caller.actor, idempotency_key=request.headers.get("idempotency-key"),
                   fingerprint=digest.hexdigest())


def _uploaded(outcome: Outcome) -> Response:
    answer = outcome.answer
    result = FileUploaded(
        position=outcome.position, id=UUID(answer["id"]), version=answer["version"],
        name=answer["name"], size=answer["size"], content_type=answer["content_type"],
        replayed=outcome.replayed)
    headers = {"X-Log-Position": str(outcome.position), "ETag": f'"{result.version}"',
               "Location": f"/v1/files/{result.id}"}
    if outcome.replayed:
        headers["Idempotent-Replayed"] = "true"
    return encode(result, 201, headers)


async def _receive(request: Request, storage: ContentStore, key: str, limit: int) -> tuple[
        int, str]:
    """Stream the body into storage; more than `limit` bytes is refused and nothing kept."""
    writer = await run_in_threadpool(storage.writer, key)
    digest, size, buffer = hashlib.sha256(), 0, bytearray()
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise ProblemError(413, "The file is too large",
                                   f"the upload is larger than the {limit} bytes reserved",
                                   "FileTooLarge", {"size": f"more than {limit} bytes"})
            digest.update(chunk)
            buffer += chunk
            if len(buffer) >= BUFFER:
                await run_in_threadpool(writer.write, bytes(buffer))
                buffer.clear()
        if buffer:
            await run_in_threadpool(writer.write, bytes(buffer))
        if size == 0:
            raise InvalidValue("size", "the file is empty")
        await run_in_threadpool(writer.commit)
    except BaseException:
        await run_in_threadpool(writer.abort)
        raise
    return size, digest.hexdigest()


async def _upload(
    request: Request, caller: Principal, container: Services, owner: FileOwner
) -> Response:
    journal, storage = container.journal, file_storage(container)
    max_bytes, quota = file_limits(container)
    command = _upload_command(request, caller)
    replay = await run_in_threadpool(journal.replayed, command, "complete_upload")
    if replay is not None:
        return _uploaded(replay)
    try:
        upload = await run_in_threadpool(
            journal.reserve_upload, command, owner, _file_name(request),
            request.headers.get("content-type", ""), _declared_size(request), max_bytes, quota)
    except (FileTooLarge, QuotaExceeded) as error:
        raise _too_large(error) from None
    key = str(upload.file_id)
    try:
        size, sha256 = await _receive(request, storage, key, upload.reserved)
        outcome = await run_in_threadpool(journal.complete_upload, command, upload, size, sha256,
                                          quota)
    except BaseException as error:
        await run_in_threadpool(_forget, container, storage, command, upload, repr(error))
        if isinstance(error, (FileTooLarge, QuotaExceeded)):
            raise _too_large(error) from None
        raise
    if outcome.replayed:  # a concurrent retry with the same key recorded its copy first
        await run_in_threadpool(_forget, container, storage, command, upload, "duplicate")
    return _uploaded(outcome)


def _forget(container: Services, storage: ContentStore, command: Command, upload: Upload,
            reason: str) -> None:
    """Remove the content and give the space back (best effort: a reservation expires)."""
    try:
        storage.delete(str(upload.file_id))
        container.journal.abandon_upload(command, upload, reason[:200])
    except Exception:
        log.exception("could not release the upload %s", upload.file_id)


@router.post("/v1/schools/{school_id}/files", status_code=201, **BINARY)
async def upload_school_file(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """Upload a file to the school's profile (its staff); the body is the file itself."""
    authorize(caller, Action.SHARE, str(school_id))
    return await _upload(request, caller, container, FileOwner(OwnerKind.SCHOOL, school_id))


@router.post("/v1/classes/{class_id}/files", status_code=201, **BINARY)
async def upload_class_file(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """Upload a file to a class's page (staff, or the class's students for their work)."""
    group = await run_in_threadpool(container.journal.get_group, class_id)
    authorize(caller, Action.SHARE, str(group.school_id))
    return await _upload(request, caller, container, FileOwner(OwnerKind.CLASS, class_id))


def _readable_file(caller: Principal, container: Services, file_id: UUID) -> dict[str, object]:
    found = distance(container).file(str(file_id))
    if found is None:
        raise FileNotFound(f"no file with id {file_id}")
    school_id, owner = str(found["school_id"]), found["owner"]
    authorize(caller, Action.READ_SHARED, school_id)
    class_id = owner["id"] if owner["kind"] == OwnerKind.CLASS else None
    check_reader(caller, walls(container).roster, school_id, class_id)
    return found


@router.get("/v1/files/{file_id}", dependencies=[Fresh], **io(FileView))
def get_file(
    file_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """A file's name, type, size, checksum, owner and the lessons it is material for."""
    return encode(_readable_file(caller, container, file_id), request=request)


@router.get("/v1/files/{file_id}/content", dependencies=[Fresh], **BINARY)
def download_file(
    file_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep
) -> Response:
    """The file's content, streamed, as an attachment under its (sanitised) name."""
    found = _readable_file(caller, container, file_id)
    etag = f'"{found["sha256"]}"'
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    storage = file_storage(container)
    if storage.size(str(file_id)) is None:
        raise FileNotFound(f"the content of the file {file_id} is missing")
    name = str(found["name"])
    fallback = name.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    headers = {
        "Content-Length": str(found["size"]), "ETag": etag, "Cache-Control": "private",
        "X-Content-Type-Options": "nosniff",
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; "
                               f"filename*=UTF-8''{quote(name, safe='')}",
    }
    return StreamingResponse(storage.read(str(file_id)), media_type=str(found["content_type"]),
                             headers=headers)


@router.delete("/v1/files/{file_id}", **io(CommandResult))
def delete_file(
    file_id: UUID, caller: PrincipalDep, container: ServicesDep, command: CommandDep,
    reason: Annotated[str, Query(max_length=500)] = "",
) -> Response:
    """Delete a file (its uploader or a school administrator): its space is freed."""
    stored = container.journal.get_file(file_id)
    authorize(caller, Action.SHARE, str(stored.school_id))
    storage = file_storage(container)
    outcome = container.journal.delete_file(command, file_id, reason)
    storage.delete(stored.key)  # after the record: a failure here leaves an orphan, not a hole
    return command_response(outcome)


def _page(container: Services, request: Request, school_id: str, owner_id: str,
          cursor: str | None, limit: int) -> Response:
    queries = distance(container)
    items, next_cursor = queries.files(owner_id, cursor, limit)
    return encode({"items": items, "next_cursor": next_cursor,
                   "used_bytes": queries.used_bytes(school_id),
                   "quota_bytes": file_limits(container)[1]}, request=request)


@router.get("/v1/schools/{school_id}/files", dependencies=[Fresh], **io(FilePage))
def school_files(
    school_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """The school's files, newest first, with the school's used space and quota."""
    authorize(caller, Action.READ_SHARED, str(school_id))
    check_reader(caller, walls(container).roster, str(school_id))
    return _page(container, request, str(school_id), str(school_id), cursor, limit)


@router.get("/v1/classes/{class_id}/files", dependencies=[Fresh], **io(FilePage))
def class_files(
    class_id: UUID, request: Request, caller: PrincipalDep, container: ServicesDep,
    cursor: Cursor = None, limit: Limit = 50,
) -> Response:
    """A class's files, newest first, with its school's used space and quota."""
    roster = walls(container).roster
    group = roster.group(str(class_id))
    if group is None or group["kind"] != "class":
        raise GroupNotFound(f"no class with id {class_id}")
    authorize(caller, Action.READ_SHARED, group["school_id"])
    check_reader(caller, roster, group["school_id"], str(class_id))
    return _page(container, request, group["school_id"], str(class_id), cursor, limit)
