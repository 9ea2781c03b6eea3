"""The fleet of inventories/local-fleet, deployed once for the site tests that use it (the fleet's
own, the migration's) and removed after them."""

import pytest
from fleet import FLEET, remove_fleet
from site_playbook import run_site

from openms_streamlit_k8s import playbook


@pytest.fixture(scope="session")
def fleet(kube, cluster, tmp_path_factory):
    """Both apps deployed and validated by one run of the whole site.yml; removed afterwards."""
    remove_fleet(kube, cluster)
    reports = tmp_path_factory.mktemp("fleet-reports")
    rc, changed, output = run_site(
        "-e", f"validate_report_path={reports}/{{{{ streamlit_k8s_app_name }}}}.json", inventory=FLEET
    )
    assert rc == playbook.EXIT_OK, output[-5000:]
    yield {"reports": reports, "output": output}
    remove_fleet(kube, cluster)
