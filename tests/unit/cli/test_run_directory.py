"""The runs' private directories: the oldest go, but never one that a run still uses (the test
command runs playbooks from two processes; a long validate run was removed under itself)."""

import os
import time

from openms_streamlit_k8s import paths, playbook


def test_old_directories_go_but_not_one_in_use(tmp_path, monkeypatch):
    monkeypatch.setattr(paths, "cache_home", lambda: tmp_path)
    monkeypatch.setattr(paths, "KEPT_RUNS", 2)
    with playbook._run_directory("long") as long_run:
        os.utime(long_run, (time.time() - 3600, time.time() - 3600))  # the oldest of all
        finished = []
        for index in range(4):
            with playbook._run_directory(f"short-{index}") as short:
                finished.append(short)
            time.sleep(0.01)
        left = sorted(os.listdir(tmp_path / "runs"))
        assert os.path.basename(long_run) in left  # in use: kept, although the oldest
        assert os.path.basename(finished[0]) not in left  # done and old: removed
        assert os.path.basename(finished[-1]) in left
    # once the long run is over, it is an old directory like the others
    with playbook._run_directory("next"):
        pass
    assert os.path.basename(long_run) not in os.listdir(tmp_path / "runs")
