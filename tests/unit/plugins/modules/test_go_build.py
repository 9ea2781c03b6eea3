"""go_build: reading go.mod files and writing the wrapper module."""

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.modules import go_build

KUBERNETES_GO_MOD = """module k8s.io/kubernetes

go 1.24.0

require (
\tgithub.com/spf13/cobra v1.9.1
\tk8s.io/api v0.0.0
\tk8s.io/client-go v0.0.0 // indirect
)

replace (
\tk8s.io/api => ./staging/src/k8s.io/api
\tk8s.io/client-go => ./staging/src/k8s.io/client-go
)
"""

ETCD_GO_MOD = """module go.etcd.io/etcd/server/v3

go 1.24

toolchain go1.24.7

require go.etcd.io/etcd/api/v3 v3.6.5

replace (
\tgo.etcd.io/etcd/api/v3 => ../api
)

// Bad imports are sometimes causing attempts to pull that code.
replace go.etcd.io/etcd => ./FORBIDDEN_DEPENDENCY
"""

TRAEFIK_GO_MOD = """module github.com/traefik/traefik/v3

go 1.25.0

require github.com/gorilla/mux v1.8.1

// Containous forks
replace (
\tgithub.com/abbot/go-http-auth => github.com/containous/go-http-auth v0.4.1-0.20200324110947-a37a7636d23e
\tgithub.com/gorilla/mux v1.8.1 => github.com/containous/mux v0.0.0-20250523120546-41b6ec3aed59
)
"""


def test_parse_go_mod_reads_go_version_requires_and_replaces():
    go_version, requires, replaces = go_build.parse_go_mod(KUBERNETES_GO_MOD)
    assert go_version == "1.24.0"
    assert requires == {"github.com/spf13/cobra": "v1.9.1", "k8s.io/api": "v0.0.0", "k8s.io/client-go": "v0.0.0"}
    assert replaces == [
        ("k8s.io/api", None, "./staging/src/k8s.io/api", None),
        ("k8s.io/client-go", None, "./staging/src/k8s.io/client-go", None),
    ]


def test_staging_modules_are_mapped_to_published_versions():
    text = go_build.wrapper_go_mod("k8s.io/kubernetes", "v1.34.4", KUBERNETES_GO_MOD, "v0.34.4")
    assert "require k8s.io/kubernetes v1.34.4" in text
    assert "\tk8s.io/api => k8s.io/api v0.34.4" in text
    assert "\tk8s.io/client-go => k8s.io/client-go v0.34.4" in text
    assert "go 1.24.0" in text


def test_staging_modules_without_a_version_are_refused():
    with pytest.raises(ValueError, match="local_replace_version"):
        go_build.wrapper_go_mod("k8s.io/kubernetes", "v1.34.4", KUBERNETES_GO_MOD, None)


def test_local_replaces_of_versioned_requirements_are_dropped():
    text = go_build.wrapper_go_mod("go.etcd.io/etcd/server/v3", "v3.6.5", ETCD_GO_MOD, None)
    assert "replace" not in text
    assert "FORBIDDEN" not in text
    assert "require go.etcd.io/etcd/server/v3 v3.6.5" in text


def test_module_replaces_are_copied_with_their_versions():
    text = go_build.wrapper_go_mod("github.com/traefik/traefik/v3", "v3.6.12", TRAEFIK_GO_MOD, None)
    assert (
        "\tgithub.com/abbot/go-http-auth => github.com/containous/go-http-auth v0.4.1-0.20200324110947-a37a7636d23e"
        in text
    )
    assert "\tgithub.com/gorilla/mux v1.8.1 => github.com/containous/mux v0.0.0-20250523120546-41b6ec3aed59" in text


@pytest.mark.parametrize(
    "pkg,expected",
    [(".", "sigs.k8s.io/kind"), ("./cmd/crictl", "sigs.k8s.io/kind/cmd/crictl"), ("example.com/x", "example.com/x")],
)
def test_package_path(pkg, expected):
    assert go_build.package_path("sigs.k8s.io/kind", pkg) == expected
