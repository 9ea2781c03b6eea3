"""image_archive: the rewritten archive names every image, fully qualified, first."""

import io
import json
import tarfile

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.modules import image_archive


def make_docker_save(path, repositories):
    with tarfile.open(path, "w") as tar:
        for name, data in [
            ("abc/layer.tar", b"layer"),
            ("manifest.json", b"[]"),
            ("repositories", json.dumps(repositories).encode()),
        ]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def test_familiar_names_are_qualified_again(tmp_path):
    src, dest = tmp_path / "saved.tar", tmp_path / "out.tar"
    make_docker_save(src, {"kindest/kindnetd": {"v1": "abc"}, "registry.k8s.io/pause": {"3.10": "abc"}})
    image_archive.rewrite_with_repositories_first(
        src, dest, ["docker.io/kindest/kindnetd:v1", "registry.k8s.io/pause:3.10"]
    )
    with tarfile.open(dest) as tar:
        names = tar.getnames()
        assert names[0] == "repositories"
        assert names.count("repositories") == 1
        assert sorted(names[1:]) == ["abc/layer.tar", "manifest.json"]
        repos = json.load(tar.extractfile("repositories"))
        assert tar.extractfile("abc/layer.tar").read() == b"layer"
    assert repos == {"docker.io/kindest/kindnetd": {"v1": "abc"}, "registry.k8s.io/pause": {"3.10": "abc"}}


def test_an_image_missing_from_the_archive_is_an_error():
    with pytest.raises(ValueError, match="did not record docker.io/library/redis:7"):
        image_archive.qualified_repositories({"redis": {"6": "abc"}}, ["docker.io/library/redis:7"])


@pytest.mark.parametrize(
    "ref,expected",
    [
        ("registry.k8s.io/pause:3.10", ("registry.k8s.io/pause", "3.10")),
        ("localhost:5000/app", ("localhost:5000/app", "latest")),
        ("redis", ("redis", "latest")),
    ],
)
def test_split_reference(ref, expected):
    assert image_archive.split_reference(ref) == expected
