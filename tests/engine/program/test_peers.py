"""engine/program/peers.py: a comparative sentence only against a peer set (issue 10, defect 4)."""

from __future__ import annotations

from pathlib import Path

import yaml

from engine import api
from engine.assessment.validate import with_changes
from engine.program.peers import peer_indices, rank
from tests.conftest import EXAMPLES

NN = EXAMPLES / "nizhny-novgorod.yaml"


def _peer_dir(tmp_path: Path, knowledge, factors: list[float]) -> Path:
    base = yaml.safe_load(NN.read_text(encoding="utf-8"))
    for n, f in enumerate(factors):
        v = dict(base)
        v["cluster_name"] = f"Peer {n}"
        for key in ("cluster_exports", "cluster_foreign_investment", "publications_international"):
            raw = base[key]["value"] if isinstance(base[key], dict) else base[key]  # {value, basis}
            v[key] = raw * f
        (tmp_path / f"peer{n}.yaml").write_text(yaml.safe_dump(v, allow_unicode=True), "utf-8")
    return tmp_path


def test_no_comparative_sentence_without_peers(knowledge, nn_result):
    for lang in ("en", "ru"):
        text = api.draft(nn_result, knowledge, "md", lang)
        assert "among the more international" not in text
        assert "among the most international of" not in text
        assert "наиболее интернационализированных из" not in text


def test_level_high_is_not_the_dissertations_claim(knowledge):
    site = knowledge.rule["level_high"]
    assert site.rule.proposal
    assert not {"s0_nn_findings", "s0_diss_2_2"} & set(site.rule.sources)
    label = knowledge.finding["level.high"].label.en or ""
    assert "pilot" not in label.lower()


def test_bands_are_labelled_as_the_systems_convention(knowledge, nn_result):
    text = api.draft(nn_result, knowledge, "md", "en")
    assert "this system's convention" in text


def test_peers_rank_the_cluster_with_percentile_and_n(tmp_path, knowledge, nn_result):
    folder = _peer_dir(tmp_path, knowledge, [0.1, 0.2, 0.3, 0.5, 0.6])
    peers = peer_indices([folder], knowledge)
    assert len(peers) == 5
    r = rank(nn_result.measures.get("index"), peers, knowledge)
    assert r is not None and r["n"] == 6 and r["position"] == 1 and r["percentile"] == 100
    text = api.draft(nn_result, knowledge, "md", "en", peers=[folder])
    assert "among the most international of 6 clusters" in text


def test_a_cluster_below_its_peers_is_not_called_most_international(tmp_path, knowledge, session):
    folder = _peer_dir(tmp_path, knowledge, [2, 2.5, 3, 3.5, 4])
    a = with_changes(api.load(NN, knowledge), {}, knowledge)
    result = api.run(a, session)
    text = api.draft(result, knowledge, "md", "en", peers=[folder])
    assert "among the most international of" not in text
    assert "of 6 clusters" in text


def test_draft_peers_option_on_the_command_line(tmp_path, cli, knowledge):
    folder = (
        _peer_dir(tmp_path / "p", knowledge, [0.1, 0.2, 0.3, 0.5, 0.6])
        if ((tmp_path / "p").mkdir() or True)
        else None
    )
    code, out, err = cli("draft", NN, "--peers", folder, "--lang", "en")
    assert code == 0, err
    assert "among the most international of 6 clusters" in out
    code, out, err = cli("draft", NN, "--peers", tmp_path / "missing", "--lang", "en")
    assert code == 2 and "missing" in err
