"""tree_copy: the listed entries of a tree into a directory of the same host (the old VM's mount
of the share), owned by the app's uid, modes with the owner's read and write, mtimes and
symlinks kept; removals never leave the destination. Runs as root, as the module does."""

import os

import pytest
from ansible_collections.openms.streamlit_k8s.plugins.module_utils.tar_stream import copy_into
from ansible_collections.openms.streamlit_k8s.plugins.modules import tree_copy


@pytest.fixture
def trees(tmp_path):
    src, dest = tmp_path / "volume", tmp_path / "share"
    (src / "ws" / "results").mkdir(parents=True)
    (src / "ws" / "results" / "table.tsv").write_text("peaks")
    (src / "ws" / "results" / "table.tsv").chmod(0o400)
    os.utime(src / "ws" / "results" / "table.tsv", ns=(1_600_000_000_123_456_789,) * 2)
    (src / "ws" / "link").symlink_to("results/table.tsv")
    (src / "ws" / "unlisted").write_text("x")
    dest.mkdir()
    return src, dest


def test_the_listed_entries_arrive_as_the_apps_with_their_mtimes(trees):
    if os.geteuid() != 0:
        pytest.skip("giving files to another uid needs root, as the module runs")
    src, dest = trees
    sent, failed = copy_into(str(src), ["ws", "ws/results", "ws/results/table.tsv", "ws/link"], str(dest), 1000)
    assert failed == "" and sent > 0
    copied = dest / "ws" / "results" / "table.tsv"
    assert copied.read_text() == "peaks" and not (dest / "ws" / "unlisted").exists()
    assert os.readlink(dest / "ws" / "link") == "results/table.tsv"
    assert copied.stat().st_mtime_ns == 1_600_000_000_123_456_789
    assert copied.stat().st_mode & 0o777 == 0o600
    for entry in (dest / "ws", dest / "ws" / "results", copied):
        assert (entry.stat().st_uid, entry.stat().st_gid) == (1000, 1000), entry
    assert os.lstat(dest / "ws" / "link").st_uid == 1000


def test_a_failed_source_says_which_side_failed(trees):
    src, dest = trees
    sent, failed = copy_into(str(src), ["ws/missing"], str(dest), 1000)
    assert "tar at the source exited 2" in failed and "missing" in failed


def test_removals_stay_inside_the_destination(trees):
    src, dest = trees
    (dest / "gone").mkdir()
    (dest / "gone" / "file").write_text("x")
    (dest / "stale.txt").write_text("x")
    (dest / "dangling").symlink_to("/nowhere")
    tree_copy.remove(str(dest), ["gone", "stale.txt", "dangling", "never-there"])
    assert list(dest.iterdir()) == []
    for escape in ("../volume", "/etc/passwd", ".", "a/../.."):
        with pytest.raises(ValueError):
            tree_copy.remove(str(dest), [escape])
    assert (src / "ws" / "unlisted").exists()
