"""Assemble a checkout shaped like the template's repository: the test app's code with the
template-shaped Dockerfile and entrypoint.sh at its top (and the CA bundle pip needs here).
With a variant (a directory beside this file), an app built from the template with changes of
its own: `renamed-workflow` replaces the template's src/Workflow.py by its WorkflowTest, and
the page queues that one.

    python tests/images/checkout.py DEST [VARIANT]
"""

import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
CA_BUNDLE = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")
# What each variant drops from the test app, and the page's import of its workflow
VARIANTS = {
    "renamed-workflow": {
        "drop": ["src/Workflow.py"],
        "page": ("from src.Workflow import Workflow", "from src.WorkflowTest import WorkflowTest as Workflow"),
    }
}


def assemble(dest, variant=None):
    dest = pathlib.Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "files/test-app", dest, symlinks=True)
    for name in ("Dockerfile", "entrypoint.sh"):
        shutil.copy2(HERE / "template-shaped" / name, dest / name)
    (dest / "build-ca.crt").write_bytes(CA_BUNDLE.read_bytes() if CA_BUNDLE.exists() else b"")
    if variant:
        changes = VARIANTS[variant]
        for path in changes["drop"]:
            (dest / path).unlink()
        shutil.copytree(HERE / variant, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
        page = dest / "app.py"
        old, new = changes["page"]
        if old not in page.read_text():
            raise SystemExit(f"app.py no longer says {old!r}: update VARIANTS[{variant!r}]")
        page.write_text(page.read_text().replace(old, new))
    return dest


if __name__ == "__main__":
    assemble(*sys.argv[1:3])
