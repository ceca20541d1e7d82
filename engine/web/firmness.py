"""The cluster page's "how firm" panel (issue 25): the sensitivity map of the cluster, each
change one click away from the what-if view (the cluster page with `set=`), and the tornado
chart of the indicators that move the most advice. Unfolded on demand: the map reruns the rules
some hundred times."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from engine import api


def set_of(change: dict[str, Any]) -> str:
    """The what-if `set=` of one change: its value in YAML's flow style (JSON is YAML)."""
    return f"{change['indicator']}={json.dumps(change['to'], ensure_ascii=False)}"


async def firmness_fragment(wb: Any, request: Request) -> Response:
    """`/c/{name}/firmness`: the map of the assessment (memoized per language), its chart."""
    lang = wb.lang(request)
    name = request.path_params["name"]
    _, result = await wb.entry_result(name)
    service = wb.service

    def build() -> tuple[dict[str, Any], Any]:
        data = api.sensitivity(result, service.session, lang)
        return data, api.sensitivity_chart(data, lang)

    data, chart = await service.run(lambda: service.memo(("firmness", id(result), lang), build))
    return wb.render(
        request, "firmness.html.j2", d=data, chart=chart, base=f"/c/{name}", set_of=set_of
    )
