"""The federal export: record schemas, held-back report, status, and pull of numbered deltas.

An exporter lists the deltas after the last one it acknowledged, downloads each body (gzip
JSON Lines, `X-Export-Sha256`), then acknowledges it; acknowledgements go in order, so a
consumer that resumes gets exactly the deltas it had not acknowledged.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import Response, StreamingResponse

from api.deps import PrincipalDep, ServicesDep
from api.export_answers import (
    Acknowledgement,
    AckRequest,
    DeltaPage,
    ExportSchemas,
    ExportStatus,
    HeldReport,
)
from api.io import body, encode, io
from api.policy import Action, authorize
from projections.export_deltas import Manifest, latest, manifest, manifests
from projections.export_deltas import body as delta_body
from projections.export_schemas import schema_json
from projections.export_status import (
    DeltaNotFound,
    acknowledge,
    acknowledged,
    create_tables,
    held,
    status,
)
from projections.store import ViewStore

router = APIRouter(tags=["export"])
Number = Annotated[int, Path(ge=1, description="the delta's number")]


def _store(container: Any) -> ViewStore:
    store: ViewStore = container.registries.store
    create_tables(store)
    return store


def _manifest(store: ViewStore, number: int) -> Manifest:
    found = manifest(store, number)
    if found is None:
        raise DeltaNotFound(f"no sealed delta {number}", {"number": "not sealed"})
    return found


@router.get("/v1/export/schemas", **io(ExportSchemas))
def export_schemas(caller: PrincipalDep) -> Response:
    """The JSON Schema of every export record (the envelope and each entity's payload)."""
    authorize(caller, Action.READ_EXPORT)
    return Response(schema_json(), media_type="application/json")


@router.get("/v1/export/held", **io(HeldReport))
def export_held(
    caller: PrincipalDep, container: ServicesDep, request: Request,
    school_id: Annotated[str | None, Query(description="only this school")] = None,
) -> Response:
    """Schools held back for missing or invalid requisites and people for incomplete
    identification, with what each lacks; nothing of theirs is exported until it is filled."""
    authorize(caller, Action.READ_EXPORT)
    return encode(held(_store(container), school_id), request=request)


@router.get("/v1/export/status", **io(ExportStatus))
def export_status(caller: PrincipalDep, container: ServicesDep) -> Response:
    """Projection lag, the last sealed delta, push delivery (last delivered, waiting,
    failures, alert) and each pulling consumer's acknowledgement."""
    authorize(caller, Action.READ_EXPORT)
    return encode(status(_store(container), container.log_position()))


@router.get("/v1/export/deltas", **io(DeltaPage))
def list_deltas(
    caller: PrincipalDep, container: ServicesDep,
    after: Annotated[int | None, Query(ge=0, description="default: your last acknowledged")]
    = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> Response:
    """Sealed deltas after `after`, in number order."""
    authorize(caller, Action.READ_EXPORT)
    store = _store(container)
    done = acknowledged(store, caller.subject)
    start = done if after is None else after
    last = latest(store)
    return encode(DeltaPage(items=manifests(store, start, limit), after=start, acknowledged=done,
                            latest=last.number if last else 0))


@router.get("/v1/export/deltas/{number}", **io(Manifest))
def get_delta(number: Number, caller: PrincipalDep, container: ServicesDep) -> Response:
    """One delta's manifest: position range, record counts per entity, sha256 of the body."""
    authorize(caller, Action.READ_EXPORT)
    return encode(_manifest(_store(container), number))


_BODY = io(Manifest, description="The gzip JSON Lines body (application/gzip); with "
                                 "`Accept: application/json` only, the manifest")
_BODY["responses"][200]["content"]["application/gzip"] = {
    "schema": {"type": "string", "format": "binary"}}


@router.get("/v1/export/deltas/{number}/body", **_BODY)
def get_delta_body(number: Number, request: Request, caller: PrincipalDep,
                   container: ServicesDep) -> Response:
    """The delta's records: gzip-compressed JSON Lines, one record a line, in position order;
    `X-Export-Sha256` (and the ETag) is the sha256 of these bytes."""
    authorize(caller, Action.READ_EXPORT)
    store = _store(container)
    sealed = _manifest(store, number)
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "gzip" not in accept:
        return encode(sealed)
    etag = f'"{sealed.sha256}"'
    headers = {"ETag": etag, "X-Export-Sha256": sealed.sha256,
               "X-Export-Records": str(sealed.records), "Content-Length": str(sealed.size),
               "Content-Disposition": f'attachment; filename="delta-{number:08d}.jsonl.gz"'}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers={"ETag": etag})
    return StreamingResponse(delta_body(store, number), media_type="application/gzip",
                             headers=headers)


@router.post("/v1/export/acknowledgements", **io(Acknowledgement, request=AckRequest))
def acknowledge_delta(caller: PrincipalDep, container: ServicesDep,
                      ack: Annotated[AckRequest, Depends(body(AckRequest))]) -> Response:
    """You hold every delta up to `number`: acknowledge them in order (409 on a gap);
    a repeated acknowledgement changes nothing."""
    authorize(caller, Action.READ_EXPORT)
    done = acknowledge(_store(container), caller.subject, ack.number)
    return encode(Acknowledgement(consumer=caller.subject, acknowledged=done))
