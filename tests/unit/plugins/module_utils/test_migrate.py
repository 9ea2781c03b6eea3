"""migrate module_utils: what a workspaces migration sends, removes and refuses, and what the
verification reports."""

from ansible_collections.openms.streamlit_k8s.plugins.module_utils.migrate import differences, plan, wanted_mode

MOUNT = "/workspaces-streamlit-template"
DAY = 86_400 * 1_000_000_000


def file(path, data="x", mode=0o644, mtime=1_000 * DAY, uid=0):
    import hashlib

    return {
        "path": path,
        "type": "file",
        "mode": mode,
        "mtime_ns": mtime,
        "uid": uid,
        "size": len(data),
        "sha256": hashlib.sha256(data.encode()).hexdigest(),
    }


def folder(path, mode=0o755, mtime=1_000 * DAY, uid=0):
    return {"path": path, "type": "dir", "mode": mode, "mtime_ns": mtime, "uid": uid}


def link(path, target):
    return {"path": path, "type": "link", "mode": 0o777, "mtime_ns": 0, "uid": 0, "target": target}


def arrived(entries, uid=1000):
    """The entries as they are at the destination after a copy: the app's uid, the wanted modes."""
    return [{**e, "uid": uid, "mode": 0o777 if e["type"] == "link" else wanted_mode(e)} for e in entries]


WORKSPACE = [
    folder("ws-1"),
    file("ws-1/params.json", "{}"),
    folder("ws-1/mzML-files"),
    file("ws-1/mzML-files/a b ä.mzML", "spectra", mode=0o600),
    file("ws-1/empty.txt", ""),
    link("ws-1/demo", f"{MOUNT}/.demos/example"),
    link("ws-1/latest", "mzML-files/a b ä.mzML"),
]


def test_everything_is_sent_to_an_empty_destination():
    done = plan(WORKSPACE, [], MOUNT)
    assert done["send"] == sorted(entry["path"] for entry in WORKSPACE)
    assert (done["files"], done["bytes"], done["remove"], done["refused"]) == (3, 9, [], [])


def test_nothing_is_sent_again():
    nothing = {"send": [], "remove": [], "refused": [], "files": 0, "bytes": 0}
    assert plan(WORKSPACE, arrived(WORKSPACE), MOUNT) == nothing


def test_a_changed_or_half_copied_file_is_sent_with_its_directories():
    dest = arrived(WORKSPACE)
    half = next(entry for entry in dest if entry["path"].endswith(".mzML"))
    half.update(size=3, sha256="0" * 64)  # a copy killed mid-file
    done = plan(WORKSPACE, dest, MOUNT)
    assert done["send"] == ["ws-1", "ws-1/mzML-files", "ws-1/mzML-files/a b ä.mzML"]
    assert (done["files"], done["bytes"]) == (1, 7)


def test_the_same_bytes_with_another_mtime_are_sent_again():
    dest = arrived(WORKSPACE)
    dest[1]["mtime_ns"] += 5 * 1_000_000_000
    assert plan(WORKSPACE, dest, MOUNT)["send"] == ["ws-1", "ws-1/params.json"]


def test_root_only_modes_become_the_apps():
    assert wanted_mode(file("f", mode=0o400)) == 0o600
    assert wanted_mode(folder("d", mode=0o500)) == 0o700
    assert wanted_mode(file("run.sh", mode=0o500)) == 0o700


def test_links_outside_and_special_files_are_refused():
    source = [
        *WORKSPACE,
        link("ws-1/passwd", "/etc/passwd"),
        link("ws-1/up", "../../elsewhere"),
        link("ws-1/self", "."),
        {"path": "ws-1/fifo", "type": "other", "mode": 0o644, "mtime_ns": 0, "uid": 0},
    ]
    done = plan(source, [], MOUNT)
    assert [item["path"] for item in done["refused"]] == ["ws-1/fifo", "ws-1/passwd", "ws-1/up"]
    assert "outside the workspaces" in done["refused"][1]["reason"]
    assert "ws-1/self" in done["send"] and "ws-1/passwd" not in done["send"]


def test_a_link_that_became_a_file_is_removed_first():
    source = [folder("ws-1"), file("ws-1/latest", "now a file")]
    dest = arrived([folder("ws-1"), link("ws-1/latest", "params.json")])
    done = plan(source, dest, MOUNT)
    assert (done["remove"], done["send"]) == (["ws-1/latest"], ["ws-1", "ws-1/latest"])


def test_only_a_final_pass_removes_what_the_source_no_longer_has():
    source = [folder("ws-1"), file("ws-1/params.json", "{}")]
    dest = arrived([*source, folder("ws-1/old"), file("ws-1/old/x", "x"), file("ws-1/gone", "g")])
    assert plan(source, dest, MOUNT)["remove"] == []
    done = plan(source, dest, MOUNT, final=True)
    # the directory's content goes with it, deepest first; the directory above is set again
    assert done["remove"] == ["ws-1/gone", "ws-1/old"]
    assert done["send"] == ["ws-1"]


def test_the_verification_names_each_difference():
    dest = arrived(WORKSPACE)
    dest[1]["sha256"] = "f" * 64
    dest[3]["uid"] = 0
    del dest[4]
    lines = differences(WORKSPACE, dest, MOUNT, uid=1000)
    assert lines[0].startswith("ws-1/params.json: differs (file 2 bytes sha256 ")
    assert lines[1:] == ["ws-1/mzML-files/a b ä.mzML: owned by uid 0, not 1000", "ws-1/empty.txt: missing"]
    assert differences(WORKSPACE, arrived(WORKSPACE), MOUNT, uid=1000) == []
    # what the plan refuses is not missed at the destination
    assert differences([*WORKSPACE, link("ws-1/passwd", "/etc/passwd")], arrived(WORKSPACE), MOUNT, uid=1000) == []
