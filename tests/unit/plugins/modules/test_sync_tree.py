"""sync_tree: dest becomes an exact copy of src; a second pass finds nothing to do."""

import os

from ansible_collections.openms.streamlit_k8s.plugins.modules import sync_tree


def make(root, files):
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content)


def sync(src, dest, files=None):
    to_copy, to_delete = sync_tree.plan(str(src), str(dest), files)
    sync_tree.apply(str(src), str(dest), to_copy, to_delete)
    return to_copy, to_delete


def tree(root):
    return {
        str(p.relative_to(root)): (p.read_text() if p.is_file() and not p.is_symlink() else os.readlink(p))
        for p in sorted(root.rglob("*"))
        if p.is_symlink() or p.is_file()
    }


def test_an_exact_copy_then_nothing_to_do(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    make(src, {"app.py": "a", "src/w.py": "b", ".streamlit/config.toml": "c"})
    (src / "link").symlink_to("/app/example")
    os.chmod(src / "app.py", 0o755)
    copied, deleted = sync(src, dest)
    assert "app.py" in copied and deleted == []
    assert tree(dest) == tree(src)
    assert os.stat(dest / "app.py").st_mode & 0o777 == 0o755
    assert sync(src, dest) == ([], [])


def test_what_src_dropped_is_deleted_and_changes_are_copied(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    make(src, {"app.py": "a", "old/gone.py": "x", "keep.py": "k"})
    sync(src, dest)
    (src / "old/gone.py").unlink()
    (src / "old").rmdir()
    (src / "app.py").write_text("a longer app")
    copied, deleted = sync(src, dest)
    assert copied == ["app.py"]
    assert deleted == ["old/gone.py", "old"]
    assert tree(dest) == tree(src)


def test_a_file_replaced_by_a_directory(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    make(src, {"data": "file"})
    sync(src, dest)
    (src / "data").unlink()
    make(src, {"data/inner.txt": "now a directory"})
    sync(src, dest)
    assert tree(dest) == tree(src)


def test_only_the_files_named(tmp_path):
    src, dest = tmp_path / "src", tmp_path / "dest"
    make(src, {"Dockerfile": "d", "entry.sh": "e", "other": "o"})
    make(dest, {"requirements.txt": "stays"})
    copied, deleted = sync(src, dest, ["Dockerfile", "entry.sh"])
    assert (copied, deleted) == (["Dockerfile", "entry.sh"], [])
    assert tree(dest) == {"Dockerfile": "d", "entry.sh": "e", "requirements.txt": "stays"}
    assert sync(src, dest, ["Dockerfile", "entry.sh"]) == ([], [])
