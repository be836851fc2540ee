"""The ASGI entry point: `infra.asgi:app` for uvicorn with several worker processes."""

from __future__ import annotations

from fastapi import FastAPI

from api.app import create_app
from api.auth import LocalTokens
from infra.container import Container
from infra.settings import load_settings


def build_app(container: Container) -> FastAPI:
    settings = container.settings
    tokens = LocalTokens(settings.secret, settings.token_ttl_hours * 3600)
    return create_app(container, tokens)


def __getattr__(name: str) -> FastAPI:
    # Built lazily so importing this module has no side effects.
    if name == "app":
        application = build_app(Container(load_settings()))
        globals()["app"] = application
        return application
    raise AttributeError(name)
