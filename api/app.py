"""The FastAPI application: routes, problem+json errors, msgspec schemas in OpenAPI."""

from __future__ import annotations

from fastapi import FastAPI

from api import problems
from api.auth import TokenVerifier
from api.deps import Services
from api.io import install_openapi
from api.routes import all_routers


def create_app(services: Services, verifier: TokenVerifier) -> FastAPI:
    app = FastAPI(
        title="zhurnal",
        version="0.1.0",
        description=(
            "Regional electronic school journal and diary (ЭЖД). Every command answers with "
            "the log `position` of its last event; pass it as `min_position` to a query to "
            "read your own writes. Commands accept `Idempotency-Key`; updates accept "
            "`If-Match` with the ETag you read. Errors are RFC 9457 problem+json."
        ),
    )
    app.state.services = services
    app.state.verifier = verifier
    problems.install(app)
    for router in all_routers():
        app.include_router(router)
    install_openapi(app)
    return app
