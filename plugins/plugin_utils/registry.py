# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Asking a registry (the Docker Registry HTTP API v2, as distribution, Harbor and GitLab serve it)
for the digest a tag points at, on the controller: the images role pushes only what the registry
does not hold already."""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.parse

from ansible.module_utils.urls import open_url

from .image_reference import split_image

# Docker pushes manifests of these types; a HEAD must accept them to get the pushed digest
MANIFEST_TYPES = ", ".join(
    (
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
    )
)
# Docker speaks plain HTTP to a registry on this machine only, as it does when pushing
_LOCAL = re.compile(r"^(localhost|127\.[0-9.]+)(:[0-9]+)?$")
_CHALLENGE = re.compile(r'(\w+)="([^"]*)"')


def parts(reference):
    """(registry host, repository path, tag) of a reference with an explicit registry host;
    raises ValueError for one without (Docker Hub's) or without a tag."""
    repository, tag = split_image(reference)
    host, _slash, path = repository.partition("/")
    if not path or not ("." in host or ":" in host or host == "localhost"):
        raise ValueError(f"{reference}: no registry host")
    if not tag:
        raise ValueError(f"{reference}: no tag")
    return host, path, tag


def manifest_url(reference):
    host, path, tag = parts(reference)
    scheme = "http" if _LOCAL.match(host) else "https"
    return f"{scheme}://{host}/v2/{path}/manifests/{urllib.parse.quote(tag, safe='')}"


def base_url(host):
    """The API's base, which a client asks to log in (GET /v2/)."""
    scheme = "http" if _LOCAL.match(host) else "https"
    return f"{scheme}://{host}/v2/"


def token_url(challenge, path=None, account=None):
    """The token endpoint a Bearer challenge (WWW-Authenticate) names: for pulling path (the
    challenge's own scope first), or for logging in as account (no scope, as `docker login`)."""
    fields = dict(_CHALLENGE.findall(challenge))
    if not challenge.lower().startswith("bearer") or "realm" not in fields:
        raise ValueError(f"not a Bearer challenge with a realm: {challenge!r}")
    query = {}
    if path:
        query["scope"] = fields.get("scope") or f"repository:{path}:pull"
    if account:
        query["account"] = account
    if "service" in fields:
        query["service"] = fields["service"]
    return fields["realm"] + ("&" if "?" in fields["realm"] else "?") + urllib.parse.urlencode(query)


def _fetch_token(url, headers, opener):
    """The token a token endpoint gives ("" for none); HTTP and network errors raise."""
    with opener(url, method="GET", headers=headers, timeout=10) as reply:
        body = json.loads(reply.read() or b"{}")
    return body.get("token") or body.get("access_token") or ""


def _basic(username, password):
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _open(url, method="GET", headers=None, timeout=10):
    """Ansible's own HTTP client (certificates checked, no redirect to another scheme)."""
    return open_url(url, method=method, headers=headers or {}, timeout=timeout, force_basic_auth=False)


def _head(url, authorization, opener):
    headers = {"Accept": MANIFEST_TYPES}
    if authorization:
        headers["Authorization"] = authorization
    return opener(url, method="HEAD", headers=headers, timeout=10)


def remote_digest(reference, username="", password="", opener=_open):
    """The digest the registry holds for the reference's tag, or None when it holds none (404).
    Authenticates as a Docker client does (Basic, or a Bearer token from the challenge's realm);
    other failures raise (the caller then pushes)."""
    url = manifest_url(reference)
    authorization = _basic(username, password) if username else ""
    try:
        answer = _head(url, authorization, opener)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        challenge = error.headers.get("WWW-Authenticate", "") if error.headers else ""
        if error.code != 401 or not challenge.lower().startswith("bearer"):
            raise
        _host, path, _tag = parts(reference)
        headers = {"Authorization": _basic(username, password)} if username else {}
        token = _fetch_token(token_url(challenge, path=path), headers, opener)
        if not token:
            raise ValueError(f"{reference}: the token endpoint gave no token") from error
        try:
            answer = _head(url, f"Bearer {token}", opener)
        except urllib.error.HTTPError as again:
            if again.code == 404:
                return None
            raise
    with answer:
        return answer.headers.get("Docker-Content-Digest")


def login_refusal(host, username, password, opener=_open):
    """Why the registry refuses the login ("" when it takes it), asked as `docker login` asks:
    GET /v2/ with Basic authentication, and on a Bearer challenge a token from its realm for the
    account, with Basic authentication. A registry that does not answer is a refusal too."""
    basic = {"Authorization": _basic(username, password)}
    try:
        with opener(base_url(host), method="GET", headers=basic, timeout=10):
            return ""
    except urllib.error.HTTPError as error:
        challenge = error.headers.get("WWW-Authenticate", "") if error.headers else ""
        if error.code != 401 or not challenge.lower().startswith("bearer"):
            return f"{error.code} {error.reason}"
    except (urllib.error.URLError, OSError) as error:
        return f"no answer from {base_url(host)}: {error}"
    try:
        url = token_url(challenge, account=username)
    except ValueError as error:
        return str(error)
    realm = url.split("?", 1)[0]
    try:
        token = _fetch_token(url, basic, opener)
    except urllib.error.HTTPError as error:
        return f"{error.code} {error.reason} from the token endpoint"
    except (urllib.error.URLError, OSError, ValueError) as error:
        return f"no token from {realm}: {error}"
    return "" if token else f"no token from {realm}"


def unpushed(references, local_digests, remote):
    """The references to push: each whose registry digest (remote(reference), None when absent;
    an exception when unknown) is not among the local image's repository digests."""
    wanted = []
    for reference in references:
        repository = split_image(reference)[0]
        try:
            digest = remote(reference)
        except Exception:  # noqa: BLE001 - an unknown answer means: push
            wanted.append(reference)
            continue
        if digest is None or f"{repository}@{digest}" not in local_digests.get(reference, []):
            wanted.append(reference)
    return wanted
