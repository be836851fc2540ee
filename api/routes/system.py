"""Health and operations: database check, projection positions and lag."""

from __future__ import annotations

import msgspec
from fastapi import APIRouter, Request
from starlette.responses import Response

from api.deps import PrincipalDep, ServicesDep
from api.io import encode, io
from api.policy import Action, authorize
from api.problems import problem_response
from api.schemas import Health

router = APIRouter(tags=["operations"])


class ProjectionStatus(msgspec.Struct):
    name: str
    position: int
    lag: int
    # built by an earlier version of its code: not kept until its rebuild (in the background)
    # swaps new tables in; reads see the old ones meanwhile
    outdated: bool = False


class ProjectionsStatus(msgspec.Struct):
    log_position: int
    projections: list[ProjectionStatus]


@router.get("/health", **io(Health))
def health(request: Request, container: ServicesDep) -> Response:
    """200 when the log and the views answer; 503 otherwise."""
    try:
        position = container.log_position()
        projections = {
            name: container.projection_position(name) for name in container.projection_names()
        }
    except Exception as error:  # any database failure means unhealthy, not a 500
        return problem_response(
            503, "Unhealthy", f"the database does not answer: {type(error).__name__}",
            "Unhealthy", request,
        )
    return encode(
        Health(status="ok", database="ok", log_position=position, projections=projections)
    )


@router.get("/v1/admin/projections", **io(ProjectionsStatus))
def projections_status(caller: PrincipalDep, container: ServicesDep) -> Response:
    """Position and lag of every projection."""
    authorize(caller, Action.READ_OPERATIONS)
    head = container.log_position()
    names = container.projection_names()
    old = set(container.outdated_projections())
    items = [
        ProjectionStatus(name, pos, head - pos, name in old)
        for name, pos in ((n, container.projection_position(n)) for n in names)
    ]
    return encode(ProjectionsStatus(head, items))
