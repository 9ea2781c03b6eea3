"""plugin_utils/registry: the manifest HEAD a Docker client makes (Basic, or a Bearer token from
the challenge's realm), and which references still need a push.

The registry is a fake opener that answers as distribution (Basic, htpasswd) or as Harbor/GitLab
(401 with a Bearer challenge, then a token endpoint) do. The real local registry is asked by every
images phase (tests/site/test_registry_push.py: an unchanged image pushes nothing)."""

import email.message
import io
import json
import urllib.error

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.plugin_utils import registry

REF = "registry.example.org/openms/app:1.0"
DIGEST = "sha256:" + "a" * 64


def _headers(**values):
    headers = email.message.Message()
    for key, value in values.items():
        headers[key.replace("_", "-")] = value
    return headers


class Answer(io.BytesIO):
    def __init__(self, body=b"", **headers):
        super().__init__(body)
        self.headers = _headers(**headers)


def http_error(url, code, **headers):
    return urllib.error.HTTPError(url, code, "no", _headers(**headers), io.BytesIO(b""))


class Registry:
    """Tags -> digests; auth 'basic' (user:secret) or 'bearer' (a token for user:secret)."""

    def __init__(self, tags, auth="basic"):
        self.tags, self.auth, self.requests = tags, auth, []

    def __call__(self, url, method, headers, timeout):
        self.requests.append((method, url, headers.get("Authorization")))
        given = headers.get("Authorization") or ""
        if url.startswith("https://auth.example.org/token"):
            if given != registry._basic("user", "secret"):
                raise http_error(url, 401)
            assert "scope=repository%3Aopenms%2Fapp%3Apull" in url
            assert "service=harbor" in url
            return Answer(json.dumps({"token": "t0k"}).encode())
        assert method == "HEAD"
        assert "application/vnd.oci.image.index.v1+json" in headers["Accept"]
        allowed = {"basic": registry._basic("user", "secret"), "bearer": "Bearer t0k"}[self.auth]
        if given != allowed:
            if self.auth == "bearer":
                raise http_error(
                    url,
                    401,
                    WWW_Authenticate='Bearer realm="https://auth.example.org/token",service="harbor"',
                )
            raise http_error(url, 401, WWW_Authenticate='Basic realm="registry"')
        tag = url.rsplit("/", 1)[1]
        if tag not in self.tags:
            raise http_error(url, 404)
        return Answer(Docker_Content_Digest=self.tags[tag])


def test_references_name_their_registry_and_tag():
    assert registry.parts("localhost:5001/openms-streamlit-k8s/app:dev-0123") == (
        "localhost:5001",
        "openms-streamlit-k8s/app",
        "dev-0123",
    )
    assert registry.manifest_url("localhost:5001/o/app:dev") == "http://localhost:5001/v2/o/app/manifests/dev"
    assert registry.manifest_url("127.0.0.1:5001/o/app:dev").startswith("http://")
    assert registry.manifest_url(REF) == "https://registry.example.org/v2/openms/app/manifests/1.0"
    with pytest.raises(ValueError, match="no registry host"):
        registry.parts("openms/app:1.0")  # Docker Hub's
    with pytest.raises(ValueError, match="no tag"):
        registry.parts("registry.example.org/openms/app")


def test_basic_auth_reads_the_digest_and_404_is_none():
    fake = Registry({"1.0": DIGEST})
    assert registry.remote_digest(REF, "user", "secret", opener=fake) == DIGEST
    assert registry.remote_digest(REF.replace("1.0", "2.0"), "user", "secret", opener=fake) is None
    assert [method for method, _url, _auth in fake.requests] == ["HEAD", "HEAD"]


def test_a_refused_basic_login_raises():
    with pytest.raises(urllib.error.HTTPError):
        registry.remote_digest(REF, "user", "wrong", opener=Registry({"1.0": DIGEST}))


def test_a_bearer_challenge_is_answered_with_a_token_from_its_realm():
    fake = Registry({"1.0": DIGEST}, auth="bearer")
    assert registry.remote_digest(REF, "user", "secret", opener=fake) == DIGEST
    methods = [(method, url.split("?")[0]) for method, url, _auth in fake.requests]
    assert methods == [
        ("HEAD", "https://registry.example.org/v2/openms/app/manifests/1.0"),
        ("GET", "https://auth.example.org/token"),
        ("HEAD", "https://registry.example.org/v2/openms/app/manifests/1.0"),
    ]
    assert registry.remote_digest(REF.replace("1.0", "2.0"), "user", "secret", opener=fake) is None
    with pytest.raises(urllib.error.HTTPError):  # the token endpoint refuses the password
        registry.remote_digest(REF, "user", "wrong", opener=fake)


def test_the_token_url_keeps_the_realm_s_query_and_the_challenge_s_scope():
    url = registry.token_url('Bearer realm="https://gitlab.example.org/jwt/auth?x=1",service="reg"', "o/app")
    assert url == "https://gitlab.example.org/jwt/auth?x=1&scope=repository%3Ao%2Fapp%3Apull&service=reg"
    scoped = registry.token_url('Bearer realm="https://a/t",scope="repository:o/app:pull,push"', "o/app")
    assert "scope=repository%3Ao%2Fapp%3Apull%2Cpush" in scoped
    with pytest.raises(ValueError, match="not a Bearer challenge with a realm"):
        registry.token_url('Basic realm="r"', "o/app")
    # a login asks for the account and no scope, as `docker login` does
    login = registry.token_url('Bearer realm="https://a/t",service="reg"', account="user")
    assert login == "https://a/t?account=user&service=reg"


def test_only_what_the_registry_holds_as_built_here_is_left_out():
    repo = "registry.example.org/openms/app"
    references = [f"{repo}:1.0", f"{repo}:1.0-abc", f"{repo}:old", f"{repo}:gone", "registry.example.org/x:1"]
    remote = {
        f"{repo}:1.0": DIGEST,
        f"{repo}:1.0-abc": DIGEST,
        f"{repo}:old": "sha256:" + "b" * 64,  # the tag moved on in the registry, or here
        f"{repo}:gone": None,
    }

    def ask(reference):
        if reference not in remote:
            raise OSError("connection refused")
        return remote[reference]

    local = {reference: [f"{repo}@{DIGEST}"] for reference in references[:4]}
    # held as built: left out; moved, absent or unknown: pushed
    assert registry.unpushed(references, local, ask) == [f"{repo}:old", f"{repo}:gone", "registry.example.org/x:1"]
    # an image that was never pushed from here has no repository digest: pushed
    assert registry.unpushed([f"{repo}:1.0"], {f"{repo}:1.0": []}, ask) == [f"{repo}:1.0"]


class LoginRegistry:
    """GET /v2/ as distribution (htpasswd: Basic) or Harbor (a Bearer challenge, then a token
    endpoint that takes the account's Basic credentials) answer it."""

    def __init__(self, auth="basic", token=True):
        self.auth, self.token, self.requests = auth, token, []

    def __call__(self, url, method, headers, timeout):
        self.requests.append((method, url))
        right = headers.get("Authorization") == registry._basic("user", "secret")
        if url.startswith("https://auth.example.org/token"):
            assert "account=user" in url and "service=harbor" in url
            if not right:
                raise urllib.error.HTTPError(url, 401, "Unauthorized", _headers(), io.BytesIO(b""))
            return Answer(json.dumps({"token": "t0k"} if self.token else {}).encode())
        assert (method, url) == ("GET", "https://registry.example.org/v2/")
        if self.auth == "bearer":
            challenge = 'Bearer realm="https://auth.example.org/token",service="harbor"'
            raise urllib.error.HTTPError(
                url, 401, "Unauthorized", _headers(WWW_Authenticate=challenge), io.BytesIO(b"")
            )
        if not right:
            challenge = 'Basic realm="registry"'
            raise urllib.error.HTTPError(
                url, 401, "Unauthorized", _headers(WWW_Authenticate=challenge), io.BytesIO(b"")
            )
        return Answer(b"{}")


@pytest.mark.parametrize("auth", ["basic", "bearer"])
def test_a_login_is_taken_or_refused_with_the_registry_s_answer(auth):
    fake = LoginRegistry(auth)
    assert registry.login_refusal("registry.example.org", "user", "secret", opener=fake) == ""
    refusal = registry.login_refusal("registry.example.org", "user", "wrong", opener=fake)
    assert refusal.startswith("401 Unauthorized") and "wrong" not in refusal
    assert len(fake.requests) == (2 if auth == "basic" else 4)


def test_a_token_endpoint_without_a_token_or_a_registry_without_an_answer_is_a_refusal():
    fake = LoginRegistry("bearer", token=False)
    assert registry.login_refusal("registry.example.org", "user", "secret", opener=fake) == (
        "no token from https://auth.example.org/token"
    )

    def unreachable(url, method, headers, timeout):
        raise urllib.error.URLError("[Errno 111] Connection refused")

    def realmless(url, method, headers, timeout):
        raise urllib.error.HTTPError(url, 401, "Unauthorized", _headers(WWW_Authenticate="Bearer x"), io.BytesIO(b""))

    assert "Bearer challenge with a realm" in registry.login_refusal(
        "registry.example.org", "user", "secret", opener=realmless
    )
    refusal = registry.login_refusal("localhost:5001", "user", "secret", opener=unreachable)
    assert refusal.startswith("no answer from http://localhost:5001/v2/") and "refused" in refusal
