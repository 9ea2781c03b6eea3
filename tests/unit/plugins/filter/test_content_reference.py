"""The content tag a role derives from an image's label is the one image_build tagged."""

import pytest
from ansible.errors import AnsibleFilterError
from ansible_collections.openms.streamlit_k8s.plugins.filter.content_reference import FilterModule

content_reference = FilterModule().filters()["content_reference"]
FP = "0123456789abcdef"


@pytest.mark.parametrize(
    "name,expected",
    [
        ("openms-streamlit-k8s/openms-app:dev", f"openms-streamlit-k8s/openms-app:dev-{FP}"),
        ("ghcr.io/openms/app:main-full", f"ghcr.io/openms/app:main-full-{FP}"),
        ("openms-app", f"openms-app:latest-{FP}"),
        ("registry.example.org:5000/openms/app", f"registry.example.org:5000/openms/app:latest-{FP}"),
        ("registry.example.org:5000/openms/app:v1", f"registry.example.org:5000/openms/app:v1-{FP}"),
    ],
)
def test_the_content_tag_follows_the_tag_given(name, expected):
    assert content_reference(name, FP) == expected


def test_the_module_and_the_filter_name_the_same_reference():
    from ansible_collections.openms.streamlit_k8s.plugins.modules import image_build

    assert image_build.content_reference("openms-app", FP) == content_reference("openms-app", FP)


@pytest.mark.parametrize("fingerprint", ["", "0123", "0123456789ABCDEF", "0123456789abcdeg", None])
def test_a_label_that_is_no_fingerprint_is_refused(fingerprint):
    with pytest.raises(AnsibleFilterError, match="16-digit hexadecimal"):
        content_reference("openms-app:dev", fingerprint)
