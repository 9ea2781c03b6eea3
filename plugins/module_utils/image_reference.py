# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Content tags of images (no dependencies: the image_build module and a filter use it)."""

from __future__ import annotations


def content_reference(name: str, fingerprint: str) -> str:
    """<name>-<fingerprint>: the tag given plus what the image is made of; the tag is latest
    when the name has none (a registry's port, host:5000/app, is not a tag)."""
    repository, _sep, tag = name.rpartition(":")
    if not repository or "/" in tag:
        repository, tag = name, "latest"
    return f"{repository}:{tag}-{fingerprint}"
