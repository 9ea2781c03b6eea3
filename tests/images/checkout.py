"""Assemble a checkout shaped like the template's repository: the test app's code with the
template-shaped Dockerfile and entrypoint.sh at its top (and the CA bundle pip needs here).

    python tests/images/checkout.py DEST
"""

import pathlib
import shutil
import sys

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parents[1]
CA_BUNDLE = pathlib.Path("/etc/ssl/certs/ca-certificates.crt")


def assemble(dest):
    dest = pathlib.Path(dest)
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(REPO / "files/test-app", dest, symlinks=True)
    for name in ("Dockerfile", "entrypoint.sh"):
        shutil.copy2(HERE / "template-shaped" / name, dest / name)
    (dest / "build-ca.crt").write_bytes(CA_BUNDLE.read_bytes() if CA_BUNDLE.exists() else b"")
    return dest


if __name__ == "__main__":
    assemble(sys.argv[1])
