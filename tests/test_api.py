"""engine.api: the facade the CLI and the web workspace call."""

from __future__ import annotations

import pytest

from engine import api
from tests.conftest import EXAMPLES


def test_an_uploaded_workbook_is_named_by_its_upload_name_in_messages(knowledge):
    with pytest.raises(api.InputError) as exc:
        api.load_bytes(b"PK\x03\x04 not really a zip", "client.xlsx", knowledge)
    text = str(exc.value)
    assert text.startswith("client.xlsx")
    assert "/tmp" not in text


def test_uploaded_yaml_drafts_like_the_file(knowledge, session):
    path = EXAMPLES / "nizhny-novgorod.yaml"
    from_bytes = api.evaluate_bytes(path.read_bytes(), "nn.yaml", session)
    from_file = api.evaluate(path, session)
    assert from_bytes.recommendations == from_file.recommendations
    assert from_bytes.assessment.source == "nn.yaml"
