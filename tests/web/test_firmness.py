"""The cluster page's "how firm" panel (engine/web/firmness.py): unfolded on demand, each change a
link to the what-if view, where the measure is removed (or moves status) as the panel says."""

from __future__ import annotations

import re
from html import unescape

import pytest

from tests.web.conftest import BASE

CLUSTER = "/c/nizhny-novgorod.yaml"


def test_the_cluster_page_offers_the_panel_unfolded_on_demand(client):
    html = client.get(f"{CLUSTER}?lang=en").text
    assert 'id="firmness"' in html
    assert f'hx-get="{CLUSTER}/firmness?lang=en"' in html
    variant = client.get(f"{CLUSTER}?lang=en&set=direction_export=4").text
    assert 'id="firmness"' not in variant  # the map is the assessment's own


@pytest.mark.slow  # heavy; .ci/run runs it (-m slow)
def test_each_change_opens_its_what_if_view_where_the_measure_moves(client):
    html = client.get(f"{CLUSTER}/firmness?lang=en").text
    assert 'id="chart-firmness"' in html  # the tornado chart
    assert "holds under any single plausible change" in html
    links = re.findall(
        r'<li class="measure" data-id="([^"]+)">.*?<a class="what-if-link" href="([^"]+)">'
        r"(dropped if|becomes)",
        html,
        flags=re.S,
    )
    assert len(links) >= 5
    for rid, href, effect in links[:6]:
        page = client.get(BASE + unescape(href)).text
        removed = re.search(rf'data-id="{rid}"><s class="m-title">', page)
        status = re.search(rf'class="measure[^"]*moved-status" id="m-{rid}"', page)
        if effect == "dropped if":
            assert removed, (rid, href)
        else:
            assert status and not removed, (rid, href)
