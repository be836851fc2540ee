"""FastAPI dependencies: the container, the caller, a command's headers, read-your-writes."""

from __future__ import annotations

import hashlib
import re
from typing import Annotated, Any, Protocol

from fastapi import Depends, Header, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.auth import InvalidToken, Principal, TokenVerifier
from api.problems import ProblemError
from domain.application import Journal
from domain.journal import Command
from projections.affiliations import person_schools
from projections.registry_queries import RegistryQueries


class Services(Protocol):
    """What the API needs of the composition root (infra/container.py)."""

    @property
    def journal(self) -> Journal: ...

    @property
    def registries(self) -> RegistryQueries: ...

    def wait_for(self, name: str, min_position: int, timeout: float | None = None) -> bool: ...

    def log_position(self) -> int: ...

    def projection_position(self, name: str) -> int: ...

    def projection_names(self) -> list[str]: ...

    def outdated_projections(self) -> list[str]: ...


def schools_of(container: Services, caller: Principal, person_id: str) -> set[str]:
    """The schools a person belongs to, from the registries view; when the caller's school
    is not among them, read again once the view has caught up with the log (bounded): the
    person may have been enrolled or hired a moment ago."""
    schools = person_schools(container.registries.store, person_id)
    if caller.school_id and caller.school_id not in schools and container.wait_for(
            "registries", container.log_position()):
        schools = person_schools(container.registries.store, person_id)
    return schools


def services(request: Request) -> Services:
    container: Services = request.app.state.services
    return container


def verifier(request: Request) -> TokenVerifier:
    tokens: TokenVerifier = request.app.state.verifier
    return tokens


_bearer = HTTPBearer(auto_error=False, description="A token from `zhurnal token --role ROLE`")


def principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    tokens: Annotated[TokenVerifier, Depends(verifier)],
) -> Principal:
    if credentials is None:
        raise ProblemError(
            401, "Unauthorized", "a bearer token is required", "Unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        caller = tokens.verify(credentials.credentials)
    except InvalidToken as error:
        raise ProblemError(
            401, "Unauthorized", f"the bearer token is invalid: {error}", "InvalidToken",
            headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
        ) from None
    request.state.principal = caller
    return caller


ServicesDep = Annotated[Services, Depends(services)]
PrincipalDep = Annotated[Principal, Depends(principal)]

_ETAG = re.compile(r'^\s*(?:W/)?"(?P<version>\d+)"\s*$')


def expected_version(
    if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"')] = None,
) -> int | None:
    """If-Match with an aggregate version, for optimistic concurrency (412 when stale)."""
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.match(if_match)
    if not match:
        raise ProblemError(
            400, "Bad If-Match", 'If-Match must be an ETag like "3"', "BadIfMatch",
            {"If-Match": "not an ETag this service issued"},
        )
    return int(match.group("version"))


async def command(
    request: Request,
    caller: PrincipalDep,
    idempotency_key: Annotated[
        str | None,
        Header(max_length=200, description="Retries with the same key get the first answer"),
    ] = None,
) -> Command:
    """The command envelope: actor, Idempotency-Key and a fingerprint of the request."""
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.url.path.encode())
    digest.update(await request.body())
    return Command(
        actor=caller.actor, idempotency_key=idempotency_key, fingerprint=digest.hexdigest()
    )


CommandDep = Annotated[Command, Depends(command)]
IfMatchDep = Annotated[int | None, Depends(expected_version)]


def view_lagging(projection: str, position: int) -> ProblemError:
    """503 with Retry-After: the view did not reach `min_position` within the wait."""
    return ProblemError(
        503, "View not yet up to date",
        f"the {projection} view has not reached position {position} yet",
        "ViewLagging", headers={"Retry-After": "1"},
    )


def read_after(projection: str) -> Any:
    """A dependency: with `min_position`, wait (bounded) until the projection has passed it."""

    def wait(
        container: ServicesDep,
        min_position: Annotated[
            int | None, Query(ge=0, description="Wait until the view includes this position")
        ] = None,
    ) -> None:
        if min_position and not container.wait_for(projection, min_position):
            raise view_lagging(projection, min_position)

    return Depends(wait)
