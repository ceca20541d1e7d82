"""engine/program/peers.py: a comparative sentence only against a peer set (issue 10, defect 4)."""

from __future__ import annotations

import errno
import os
import zipfile
from pathlib import Path

import pytest
import yaml

from engine import api
from engine.assessment.validate import with_changes
from engine.errors import InputError, UsageError
from engine.program.peers import peer_indices, rank
from tests.conftest import EXAMPLES
from tests.engine.deliverables.test_questionnaire import filled_workbook, nn_values

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


# --- issue 24: --peers messages say what a file is, in words ----------------------------------


def test_a_fifo_among_the_peers_is_named_for_what_it_is_not_no_such_file(tmp_path, knowledge):
    fifo = tmp_path / "peer.yaml"
    os.mkfifo(fifo)
    with pytest.raises(InputError) as exc:  # it exists: "no such file or folder" was wrong
        peer_indices([fifo], knowledge)
    assert str(exc.value).endswith(
        "peer.yaml: is not a regular file (a FIFO, device or socket); refusing to read it"
    )


def test_a_missing_peer_is_named_printably(tmp_path, knowledge):
    with pytest.raises(UsageError) as exc:
        peer_indices([tmp_path / "gone\x1b[2J.yaml"], knowledge)
    assert str(exc.value) == f"--peers: {tmp_path}/gone\\x1b[2J.yaml: no such file or folder"


def test_a_peer_folder_that_cannot_be_listed_is_a_message_not_a_traceback(
    tmp_path, knowledge, monkeypatch
):
    def denied(self):
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "iterdir", denied)
    with pytest.raises(UsageError) as exc:
        peer_indices([tmp_path], knowledge)
    assert str(exc.value) == f"--peers: {tmp_path}: cannot list the folder: Permission denied"


def test_a_damaged_peer_workbook_is_described_without_python_internals(tmp_path, knowledge):
    good = tmp_path / "good.xlsx"
    filled_workbook(knowledge, nn_values()).save(good)
    bad = tmp_path / "peers" / "damaged.xlsx"
    bad.parent.mkdir()
    rels = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>'
    with zipfile.ZipFile(good) as zin, zipfile.ZipFile(bad, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item)
            zout.writestr(item, rels if item.filename == "xl/_rels/workbook.xml.rels" else data)
    with pytest.raises(InputError) as exc:
        peer_indices([bad.parent], knowledge)
    (line,) = str(exc.value).splitlines()
    # it was "cannot read the workbook (KeyError: 'rId1')"
    assert line.endswith(
        "damaged.xlsx: cannot read the workbook: a part it refers to is missing (KeyError); "
        "open it in the program that made it and save it again"
    )
    assert "'" not in line.split(": ", 1)[1]
