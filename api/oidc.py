"""Bearer tokens of an OpenID Connect identity provider (ЕСИА-style): JWKS, issuer, audience.

`OidcTokens` verifies an RS256/384/512 ID or access token with the provider's keys, fetched
from its JWKS URL (PyJWT's PyJWKClient; refetched when a token names an unknown key id, at
most once every `refetch_seconds`), checks `iss`, `aud`, `exp`, `nbf` and `iat`, and maps
claims to a `Principal`: the subject claim, a role claim whose provider values map to our
roles, an optional school claim. Claims may be dotted paths (`realm_access.roles`); a role
claim holding a list takes its first value that maps.

PyJWT needs the `cryptography` package for RSA and the pinned dependencies do not have it;
pycryptodome (installed with eventsourcing[crypto]) verifies the signatures instead, through
PyJWT's algorithm interface, so PyJWT still checks every claim. Keys are handed over as PEM,
which PyJWT's own RSA accepts too, should `cryptography` be installed one day.

`IssuerRouter` lets both kinds of tokens in: it picks the verifier by the token's
(unverified) `iss`; each verifier then checks the signature with its own keys.
"""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jwt
from Crypto.Hash import SHA256, SHA384, SHA512
from Crypto.PublicKey import RSA
from Crypto.Signature import pkcs1_15
from jwt.algorithms import Algorithm

from api.auth import InvalidToken, Principal, Role, TokenVerifier

ALGORITHMS = ("RS256", "RS384", "RS512")


class _PkcsRsa(Algorithm):
    """RSASSA-PKCS1-v1_5 with pycryptodome, for PyJWT without `cryptography`."""

    def __init__(self, hash_module: Any) -> None:
        self.hash_module = hash_module

    def prepare_key(self, key: Any) -> Any:
        if isinstance(key, RSA.RsaKey):
            return key
        if isinstance(key, dict):
            return self.from_jwk(key)
        return RSA.import_key(key)

    def sign(self, msg: bytes, key: Any) -> bytes:
        signature: bytes = pkcs1_15.new(key).sign(self.hash_module.new(msg))
        return signature

    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        try:
            pkcs1_15.new(key).verify(self.hash_module.new(msg), sig)
        except (ValueError, TypeError):
            return False
        return True

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> Any:
        public = key_obj.public_key()
        jwk = {"kty": "RSA", "n": _b64(public.n), "e": _b64(public.e)}
        return jwk if as_dict else json.dumps(jwk)

    @staticmethod
    def from_jwk(jwk: Any) -> Any:
        data = json.loads(jwk) if isinstance(jwk, str) else jwk
        if data.get("kty") != "RSA":
            raise jwt.InvalidKeyError("not an RSA key")
        return RSA.construct((_int(data["n"]), _int(data["e"])))


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _int(text: str) -> int:
    return int.from_bytes(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)), "big")


def rsa_jwt() -> jwt.PyJWT:
    """A PyJWT that signs and verifies RS256/384/512, with or without `cryptography`."""
    codec = jwt.PyJWT()
    jws = codec._jws  # PyJWT keeps its JWS per instance: register here, not process-wide
    for name, module in zip(ALGORITHMS, (SHA256, SHA384, SHA512), strict=True):
        if name not in jws.get_algorithms():
            jws.register_algorithm(name, _PkcsRsa(module))
    return codec


def jwk_to_pem(jwk: Mapping[str, Any]) -> bytes:
    pem: bytes = _PkcsRsa.from_jwk(dict(jwk)).export_key("PEM")
    return pem


@dataclass(frozen=True)
class ClaimMapping:
    """How the provider's claims name our subject, role and school."""

    subject: str = "sub"
    role: str = "role"
    school: str | None = "school_id"
    roles: Mapping[str, Role] = field(default_factory=lambda: {r.value: r for r in Role})

    def principal(self, claims: Mapping[str, Any]) -> Principal:
        subject = _claim(claims, self.subject)
        if not subject:
            raise InvalidToken(f"the token has no {self.subject!r} claim")
        found = _claim(claims, self.role)
        values = found if isinstance(found, list) else [found]
        role = next((self.roles[str(v)] for v in values if str(v) in self.roles), None)
        if role is None:
            raise InvalidToken(f"no role of this service in the {self.role!r} claim")
        school = _claim(claims, self.school) if self.school else None
        return Principal(subject=str(subject), role=role,
                         school_id=str(school) if school else None)


def _claim(claims: Mapping[str, Any], path: str) -> Any:
    value: Any = claims
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


class OidcTokens:
    """Verifies the provider's tokens with keys from its JWKS endpoint."""

    def __init__(
        self, issuer: str, jwks_url: str, audience: str, mapping: ClaimMapping | None = None,
        leeway_seconds: float = 30.0, cache_seconds: float = 300.0,
        refetch_seconds: float = 10.0, timeout_seconds: float = 5.0,
    ) -> None:
        self.issuer, self.audience = issuer, audience
        self.mapping = mapping or ClaimMapping()
        self.leeway, self.cache_seconds, self.refetch_seconds = (
            leeway_seconds, cache_seconds, refetch_seconds)
        # Only the fetch: PyJWT would parse (and cache) the keys with `cryptography`.
        self.client = jwt.PyJWKClient(jwks_url, cache_jwk_set=False, timeout=timeout_seconds)
        self.codec = rsa_jwt()
        self._keys: dict[str, bytes] = {}
        self._fetched = float("-inf")
        self._lock = threading.Lock()

    def _key(self, kid: str) -> bytes:
        with self._lock:
            age = time.monotonic() - self._fetched
            if (kid not in self._keys and age > self.refetch_seconds) or \
                    age > self.cache_seconds:
                self._keys = {
                    str(k["kid"]): jwk_to_pem(k) for k in self.client.fetch_data().get("keys", [])
                    if k.get("kty") == "RSA" and k.get("kid") and k.get("use", "sig") == "sig"
                }
                self._fetched = time.monotonic()
            key = self._keys.get(kid)
        if key is None:
            raise InvalidToken(f"the identity provider has no signing key {kid!r}")
        return key

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") not in ALGORITHMS:
                raise InvalidToken(f"the algorithm {header.get('alg')!r} is not accepted")
            claims = self.codec.decode(
                token, self._key(str(header.get("kid", ""))), algorithms=list(ALGORITHMS),
                audience=self.audience, issuer=self.issuer, leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except (jwt.PyJWTError, ValueError, KeyError) as error:
            raise InvalidToken(str(error)) from None
        return self.mapping.principal(claims)


class IssuerRouter:
    """Picks a verifier by the token's issuer; tokens of no known issuer go to the default."""

    def __init__(self, by_issuer: Mapping[str, TokenVerifier], default: TokenVerifier) -> None:
        self.by_issuer, self.default = dict(by_issuer), default

    def verify(self, token: str) -> Principal:
        try:
            issuer = jwt.decode(token, options={"verify_signature": False}).get("iss")
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from None
        return self.by_issuer.get(str(issuer), self.default).verify(token)
