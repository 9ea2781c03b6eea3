# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading container image references (registry/path/name:tag@digest) on the controller."""


def split_image(reference):
    """(repository, tag) of an image reference; the tag is "" when there is none.

    A digest (@sha256:...) is dropped; a registry's port (host:5000/...) is not a tag.
    """
    name = reference.split("@", 1)[0]
    head, _slash, last = name.rpartition("/")
    repository, _colon, tag = last.partition(":")
    return (f"{head}/{repository}" if head else repository), tag
