"""The filters that read the images kind and kubeadm expect: assigned_string, kubeadm_image and
kubeadm_image_version, against sources shaped like kind's (written here, not copied)."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.filter.assigned_string import assigned_string
from ansible_collections.openms.streamlit_k8s.plugins.filter.kubeadm_image import kubeadm_image
from ansible_collections.openms.streamlit_k8s.plugins.filter.kubeadm_image_version import kubeadm_image_version

# pkg/build/nodeimage/const_cni.go: the constant, then uses of it in a list and in a manifest.
CNI_GO = """/*
Copyright The Kubernetes Authors.
*/

package nodeimage

// kindnetdImage = "docker.io/kindest/kindnetd:commented-out"
const kindnetdImage = "docker.io/kindest/kindnetd:v20250512-df8de77b"

var defaultCNIImages = []string{kindnetdImage}

const defaultCNIManifest = `
apiVersion: apps/v1
kind: DaemonSet
spec:
  template:
    spec:
      containers:
      - name: kindnet-cni
        image: ` + kindnetdImage + `
`
"""

# pkg/build/nodeimage/const_storage.go: two constants, one line each.
STORAGE_GO = """package nodeimage

// image used to provision volumes
const storageProvisionerImage = "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a"
const storageHelperImage = "docker.io/kindest/local-path-helper:v20241212-8ac705d0"

var defaultStorageImages = []string{storageProvisionerImage, storageHelperImage}

const defaultStorageManifest = `
        - name: local-path-provisioner
          image: ` + storageProvisionerImage + `
          helperImage: ` + storageHelperImage + `
`
"""

# images/base/files/etc/containerd/config.toml
CONTAINERD_TOML = """version = 2

[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = false
  sandbox_image = "registry.k8s.io/pause:3.10"

[plugins."io.containerd.grpc.v1.cri".containerd]
  snapshotter = "overlayfs"
"""

KUBEADM_IMAGES = [
    "registry.k8s.io/kube-apiserver:v1.34.4",
    "registry.k8s.io/kube-controller-manager:v1.34.4",
    "registry.k8s.io/kube-scheduler:v1.34.4",
    "registry.k8s.io/kube-proxy:v1.34.4",
    "registry.k8s.io/coredns/coredns:v1.12.1",
    "registry.k8s.io/pause:3.10.1",
    "registry.k8s.io/etcd:3.6.5-0",
]


@pytest.mark.parametrize(
    ("source", "name", "value"),
    [
        (CNI_GO, "kindnetdImage", "docker.io/kindest/kindnetd:v20250512-df8de77b"),
        (STORAGE_GO, "storageProvisionerImage", "docker.io/kindest/local-path-provisioner:v20250214-acbabc1a"),
        (STORAGE_GO, "storageHelperImage", "docker.io/kindest/local-path-helper:v20241212-8ac705d0"),
        (CONTAINERD_TOML, "sandbox_image", "registry.k8s.io/pause:3.10"),
    ],
)
def test_assigned_string_reads_kinds_sources(source, name, value):
    assert assigned_string(source, name) == value


def test_assigned_string_reads_a_gofmt_aligned_const_block_and_a_typed_const():
    source = """package nodeimage

const (
\tstorageProvisionerImage = "example.org/provisioner:v1"
\tstorageHelperImage      = "example.org/helper:v2"
)

const pauseImage string = "example.org/pause:3"
"""
    assert assigned_string(source, "storageHelperImage") == "example.org/helper:v2"
    assert assigned_string(source, "storageProvisionerImage") == "example.org/provisioner:v1"
    assert assigned_string(source, "pauseImage") == "example.org/pause:3"


def test_assigned_string_matches_whole_names_only():
    source = 'const otherKindnetdImage = "wrong"\nconst kindnetdImageTag = "wrong"\nconst kindnetdImage = "right"\n'
    assert assigned_string(source, "kindnetdImage") == "right"


@pytest.mark.parametrize(
    "source",
    [
        "package nodeimage\n",
        '// const kindnetdImage = "docker.io/kindest/kindnetd:old"\n',
        'const kindnetdImage = ""\n',
        "var defaultCNIImages = []string{kindnetdImage}\n",
    ],
)
def test_assigned_string_fails_when_nothing_is_assigned(source):
    with pytest.raises(AnsibleFilterError, match="kindnetdImage"):
        assigned_string(source, "kindnetdImage")


def test_kubeadm_image_picks_by_the_last_path_element():
    assert kubeadm_image(KUBEADM_IMAGES, "etcd") == "registry.k8s.io/etcd:3.6.5-0"
    assert kubeadm_image(KUBEADM_IMAGES, "coredns") == "registry.k8s.io/coredns/coredns:v1.12.1"
    assert kubeadm_image(KUBEADM_IMAGES, "pause") == "registry.k8s.io/pause:3.10.1"


def test_kubeadm_image_reads_the_whole_output_too():
    output = "\n".join(KUBEADM_IMAGES) + "\n"
    assert kubeadm_image(output, "etcd") == "registry.k8s.io/etcd:3.6.5-0"


def test_kubeadm_image_fails_naming_what_it_saw():
    with pytest.raises(AnsibleFilterError, match=r"no etcd image among \['registry.k8s.io/pause:3.10.1'\]"):
        kubeadm_image(["registry.k8s.io/pause:3.10.1", ""], "etcd")


@pytest.mark.parametrize(
    ("image", "version"),
    [
        ("registry.k8s.io/etcd:3.6.5-0", "v3.6.5"),
        ("registry.k8s.io/coredns/coredns:v1.12.1", "v1.12.1"),
        ("registry.k8s.io/etcd:3.5.21-0@sha256:" + "0" * 64, "v3.5.21"),
        ("localhost:5000/coredns/coredns:v1.13.0-rc.1", "v1.13.0-rc.1"),
    ],
)
def test_kubeadm_image_version_is_the_go_module_version(image, version):
    assert kubeadm_image_version(image) == version


def test_kubeadm_image_version_needs_a_tag():
    with pytest.raises(AnsibleFilterError, match="has no tag"):
        kubeadm_image_version("localhost:5000/etcd")
