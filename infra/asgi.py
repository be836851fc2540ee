"""The ASGI entry point: `infra.asgi:app` for uvicorn with several worker processes."""

from __future__ import annotations

import os
from collections.abc import Mapping

from fastapi import FastAPI

from api.app import create_app
from api.auth import CachingVerifier, LocalTokens, Role, TokenVerifier
from api.oidc import ClaimMapping, IssuerRouter, OidcTokens
from infra.container import Container
from infra.settings import Settings, load_settings


def token_verifier(settings: Settings, environ: Mapping[str, str] | None = None) -> TokenVerifier:
    """Local HS256 tokens (`zhurnal token`), and an OpenID Connect provider's when
    ZHURNAL_OIDC_ISSUER, ZHURNAL_OIDC_JWKS_URL and ZHURNAL_OIDC_AUDIENCE are set.

    ZHURNAL_OIDC_SUBJECT_CLAIM (default `sub`), ZHURNAL_OIDC_ROLE_CLAIM (`role`),
    ZHURNAL_OIDC_SCHOOL_CLAIM (`school_id`) and ZHURNAL_OIDC_ROLES (`theirs=ours,...`; by
    default our role names) map the provider's claims. ZHURNAL_OIDC_ONLY=1 refuses local
    tokens (then the CLI's tokens do not work against this API)."""
    env = os.environ if environ is None else environ
    local = LocalTokens(settings.secret, settings.token_ttl_hours * 3600)
    issuer, jwks_url, audience = (env.get(f"ZHURNAL_OIDC_{name}") for name in
                                  ("ISSUER", "JWKS_URL", "AUDIENCE"))
    if not (issuer or jwks_url or audience):
        return local
    if not (issuer and jwks_url and audience):
        raise ValueError("OpenID Connect needs ZHURNAL_OIDC_ISSUER, ZHURNAL_OIDC_JWKS_URL "
                         "and ZHURNAL_OIDC_AUDIENCE together")
    roles = {r.value: r for r in Role}
    if env.get("ZHURNAL_OIDC_ROLES"):
        pairs = (item.split("=", 1) for item in env["ZHURNAL_OIDC_ROLES"].split(",") if item)
        roles = {theirs.strip(): Role(ours.strip()) for theirs, ours in pairs}
    mapping = ClaimMapping(
        subject=env.get("ZHURNAL_OIDC_SUBJECT_CLAIM", "sub"),
        role=env.get("ZHURNAL_OIDC_ROLE_CLAIM", "role"),
        school=env.get("ZHURNAL_OIDC_SCHOOL_CLAIM", "school_id") or None, roles=roles,
    )
    oidc = OidcTokens(issuer, jwks_url, audience, mapping)
    if env.get("ZHURNAL_OIDC_ONLY") == "1":
        return oidc
    return IssuerRouter({issuer: oidc, LocalTokens.issuer: local}, default=local)


def build_app(container: Container, environ: Mapping[str, str] | None = None) -> FastAPI:
    # A verified token is remembered until its expiry: clients resend the same one.
    return create_app(container, CachingVerifier(token_verifier(container.settings, environ)))


def __getattr__(name: str) -> FastAPI:
    # Built lazily so importing this module has no side effects.
    if name == "app":
        application = build_app(Container(load_settings()))
        globals()["app"] = application
        return application
    raise AttributeError(name)
