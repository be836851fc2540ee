"""ЕСИА-style OpenID Connect: tokens signed with a locally generated RSA key whose JWKS a
loopback HTTP server publishes; issuer, audience, expiry, key rotation, claim mapping."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from Crypto.PublicKey import RSA
from fastapi.testclient import TestClient

from api.app import create_app
from api.auth import InvalidToken, LocalTokens, Role
from api.oidc import ClaimMapping, IssuerRouter, OidcTokens, _PkcsRsa, rsa_jwt
from infra.asgi import token_verifier
from infra.container import Container
from tests.conftest import SECRET

ISSUER, AUDIENCE = "https://esia.example/", "zhurnal-region-77"


@cache
def rsa_key(number: int) -> Any:
    """RSA keys are slow to make: a few, once a run."""
    return RSA.generate(2048)


class Provider:
    """The identity provider: RSA keys and the JWKS endpoint serving their public halves."""

    def __init__(self) -> None:
        self.keys = {"k1": rsa_key(1)}
        self.fetches = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                provider.fetches += 1
                body = json.dumps({"keys": [
                    {**_PkcsRsa.to_jwk(key, as_dict=True), "kid": kid, "use": "sig",
                     "alg": "RS256"} for kid, key in provider.keys.items()]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/jwks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def token(self, kid: str = "k1", key: Any = None, **claims: Any) -> str:
        now = int(time.time())
        payload = {"iss": ISSUER, "aud": AUDIENCE, "sub": "person-1", "role": "teacher",
                   "school_id": "school-1", "iat": now, "exp": now + 300, **claims}
        signer = key or self.keys[kid]
        return rsa_jwt().encode({k: v for k, v in payload.items() if v is not None},
                                signer.export_key("PEM"), algorithm="RS256",
                                headers={"kid": kid})


@pytest.fixture
def provider() -> Iterator[Provider]:
    idp = Provider()
    yield idp
    idp.server.shutdown()


def test_a_providers_token_becomes_a_principal(provider: Provider) -> None:
    tokens = OidcTokens(ISSUER, provider.url, AUDIENCE)
    principal = tokens.verify(provider.token())
    assert (principal.subject, principal.role, principal.school_id) == (
        "person-1", Role.TEACHER, "school-1")
    tokens.verify(provider.token(sub="person-2"))
    assert provider.fetches == 1  # the key set is cached


@pytest.mark.parametrize("claims", [
    {"iss": "https://impostor.example/"}, {"aud": "another-service"},
    {"exp": int(time.time()) - 120}, {"role": "janitor"}, {"sub": None}, {"exp": None},
])
def test_a_token_with_wrong_claims_is_refused(provider: Provider, claims: Any) -> None:
    with pytest.raises(InvalidToken):
        OidcTokens(ISSUER, provider.url, AUDIENCE).verify(provider.token(**claims))


def test_a_forged_signature_is_refused_and_a_rotated_key_is_fetched(provider: Provider) -> None:
    tokens = OidcTokens(ISSUER, provider.url, AUDIENCE, refetch_seconds=0)
    with pytest.raises(InvalidToken, match="Signature"):
        tokens.verify(provider.token(key=rsa_key(3)))  # kid k1, another key
    provider.keys["k2"] = rsa_key(2)
    assert tokens.verify(provider.token(kid="k2")).role is Role.TEACHER
    with pytest.raises(InvalidToken, match="no signing key"):
        tokens.verify(provider.token(kid="k3", key=provider.keys["k2"]))
    hs256 = LocalTokens(SECRET).mint("admin", Role.ADMIN)
    with pytest.raises(InvalidToken, match="algorithm"):
        tokens.verify(hs256)


def test_claims_map_by_dotted_paths_and_provider_role_names(provider: Provider) -> None:
    mapping = ClaimMapping(subject="zhurnal.person", role="realm_access.roles",
                           school="zhurnal.school",
                           roles={"uchitel": Role.TEACHER, "roditel": Role.PARENT})
    tokens = OidcTokens(ISSUER, provider.url, AUDIENCE, mapping)
    principal = tokens.verify(provider.token(
        realm_access={"roles": ["offline_access", "roditel"]},
        zhurnal={"person": "p-9", "school": "s-3"}))
    assert (principal.subject, principal.role, principal.school_id) == ("p-9", Role.PARENT, "s-3")


def test_the_app_takes_the_providers_tokens_and_still_the_local_ones(
    provider: Provider, container: Container,
) -> None:
    environ = {"ZHURNAL_OIDC_ISSUER": ISSUER, "ZHURNAL_OIDC_JWKS_URL": provider.url,
               "ZHURNAL_OIDC_AUDIENCE": AUDIENCE}
    verifier = token_verifier(container.settings, environ)
    assert isinstance(verifier, IssuerRouter)
    with TestClient(create_app(container, verifier)) as client:
        def get(token: str) -> int:
            return client.get("/v1/schools", headers={"Authorization": f"Bearer {token}"}
                              ).status_code

        assert get(provider.token(role="admin")) == 200
        assert get(provider.token(role="teacher")) == 403  # a teacher is not an admin
        assert get(provider.token(aud="other")) == 401
        assert get(LocalTokens(SECRET).mint("admin", Role.ADMIN)) == 200
        assert get(LocalTokens(SECRET).mint("admin", Role.ADMIN, ttl_seconds=-5)) == 401
    only = token_verifier(container.settings, {**environ, "ZHURNAL_OIDC_ONLY": "1"})
    with pytest.raises(InvalidToken):
        only.verify(LocalTokens(SECRET).mint("admin", Role.ADMIN))
    assert isinstance(token_verifier(container.settings, {}), LocalTokens)
    with pytest.raises(ValueError, match="together"):
        token_verifier(container.settings, {"ZHURNAL_OIDC_ISSUER": ISSUER})
