"""Knowledge changes pass CI on their own (issue 23 item 1): the reserved country without a
profile, and the documented command that refreshes what a knowledge change moves."""

from __future__ import annotations

import shutil

from engine.knowledge.document_model import UNPROFILED_COUNTRY
from tests.conftest import ROOT


def test_kb_check_refuses_a_profile_for_the_reserved_country(cli, tmp_path, monkeypatch):
    root = tmp_path / "knowledge"
    shutil.copytree(ROOT / "knowledge", root, ignore=shutil.ignore_patterns("scenarios"))
    doc = root / "document.yaml"
    text = doc.read_text(encoding="utf-8")
    assert text.count("country_profiles:\n") == 1
    profile = f"country_profiles:\n  {UNPROFILED_COUNTRY}:\n    native_benchmarks: false\n    institutions: {{}}\n"
    doc.write_text(text.replace("country_profiles:\n", profile), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("kb", "check", "--knowledge", "knowledge")
    assert code in (1, 2)
    assert f"'{UNPROFILED_COUNTRY}' is reserved for a country without a profile" in out + err
    assert "knowledge/document.yaml:" in out + err
    assert "Traceback" not in out + err


def test_the_reserved_country_is_a_valid_assessment_country_with_the_default_profile(
    knowledge, tmp_path
):
    from engine import api
    from engine.explain.wording import country_profile

    text = (ROOT / "examples" / "nizhny-novgorod.yaml").read_text(encoding="utf-8")
    path = tmp_path / "a.yaml"
    path.write_text(
        text.replace("country: RU\n", f"country: {UNPROFILED_COUNTRY}\n"), encoding="utf-8"
    )
    api.evaluate(path, api.Session())  # accepted: no error
    assert (
        country_profile(UNPROFILED_COUNTRY, knowledge)
        is knowledge.document.country_profiles["default"]
    )
