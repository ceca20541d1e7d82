"""engine/deliverables/batch.py: 200 generated clusters and a broken one, in a process pool, with
a summary."""

from __future__ import annotations

import csv
import io
import random
import time
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from engine.deliverables.batch import plan, run_batch, slug
from engine.errors import OutputExistsError, UsageError
from engine.files.atomic import Inputs, write_atomic
from tests.conftest import EXAMPLES


def generate(knowledge, rng: random.Random, n: int) -> dict:
    """A valid assessment drawn from knowledge/indicators.yaml (blank answers included)."""
    values: dict = {}
    for ind in knowledge.indicators.indicators:
        if not ind.required and rng.random() < 0.15:
            continue  # no information
        t = ind.type
        if ind.lookup:  # a country, or target markets: codes or names the loader resolves
            pool = ["RU", "Казахстан", "Armenia", "CN", "Индия", "Turkey"]
            v = rng.choice(pool) if t != "list" else rng.sample(pool, rng.randint(0, 3))
        elif t == "str":
            v = (
                f"Generated cluster {n}"
                if ind.id == "cluster_name"
                else f"text {rng.randint(1, 9)}"
            )
        elif t == "bool":
            v = rng.random() < 0.5
        elif t == "enum":
            v = rng.choice(ind.values)
        elif t == "list":
            pool = ind.values or ["alpha", "beta", "gamma"]
            if ind.id == knowledge.sectors.indicator:
                pool = ["tourism", "ict", "нефтехимия", "shipbuilding"]
            v = rng.sample(pool, rng.randint(0, min(3, len(pool))))
        elif t == "score" or (t == "int" and ind.scale):
            scale = knowledge.indicators.scales[ind.scale]
            v = rng.randint(int(scale.min), int(scale.max))
        elif t == "int":
            lo = int(ind.min or 0)
            hi = int(ind.max) if ind.max is not None else lo + 500
            v = rng.randint(lo, hi)
        else:
            lo = ind.min or 0.0
            hi = ind.max if ind.max is not None else 1e5
            v = round(rng.uniform(lo, hi), 2)
        values[ind.id] = v
    return values


@pytest.fixture(scope="module")
def many(tmp_path_factory, knowledge) -> Path:
    folder = tmp_path_factory.mktemp("clusters")
    rng = random.Random(20140101)
    for n in range(200):
        text = yaml.safe_dump(generate(knowledge, rng, n), allow_unicode=True, sort_keys=False)
        (folder / f"cluster-{n:03d}.yaml").write_text(text, encoding="utf-8")
    (folder / "zz-broken.yaml").write_text(
        "cluster_name: Broken\nactivity_smes: 9\n", encoding="utf-8"
    )
    return folder


def writer(out: Path):
    return lambda name, data: write_atomic(out / name, data, force=True, inputs=Inputs())


@pytest.mark.slow  # heavy differential / many-run check: CI runs it (-m slow)
def test_200_clusters_and_one_broken_input(tmp_path, many, knowledge):
    reported: list[str] = []
    started = time.perf_counter()
    report = run_batch(
        [many],
        tmp_path,
        knowledge,
        fmt="md",
        lang="en",
        write=writer(tmp_path),
        protected=Inputs(),
        workers=2,
        report=reported.append,
        progress=False,
    )
    elapsed = time.perf_counter() - started
    assert report.total == 201 and len(report.failed) == 1 and report.exit_code == 1
    assert len(reported) == 1
    assert reported[0].endswith(
        "zz-broken.yaml:2:16: activity_smes: 9 is out of scale; allowed 0..4"
    )
    programs = sorted(p.name for p in tmp_path.glob("cluster-*.md"))
    assert len(programs) == 200 and programs[0] == "cluster-000.md"
    for name in ("summary.csv", "summary.xlsx", "summary.md", "summary.html"):
        assert (tmp_path / name).stat().st_size > 0
    assert not list(tmp_path.glob(".*.tmp"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "summary.csv").read_text("utf-8"))))
    assert len(rows) == 201
    ok = [r for r in rows if r["status"] == "ok"]
    assert len(ok) == 200 and all(
        r["index_band"] and r["model"] and r["top_recommendations"] for r in ok
    )
    broken = next(r for r in rows if r["status"] == "error")
    assert "out of scale" in broken["error"]
    html = (tmp_path / "summary.html").read_text("utf-8")
    assert html.count('class="bar"') == sum(1 for r in ok if r["index"])  # comparison chart
    xlsx = load_workbook(tmp_path / "summary.xlsx")
    assert xlsx.worksheets[0].max_row == 202  # header + every input
    md = (tmp_path / "summary.md").read_text("utf-8")
    assert "Clusters processed: 200 of 201" in md and "zz-broken.yaml:2:16" in md
    print(f"\nbatch of 201 inputs, 2 workers: {elapsed:.1f} s")


@pytest.mark.slow  # end to end; .ci/run runs it (-m slow)
def test_the_pool_gives_the_same_programs_as_one_process(tmp_path, knowledge):
    inputs = [
        EXAMPLES / "nizhny-novgorod.yaml",
        EXAMPLES / "nascent-cluster.yaml",
        EXAMPLES / "mature-cluster.yaml",
    ]
    one, two = tmp_path / "one", tmp_path / "two"
    one.mkdir()
    two.mkdir()
    for out, workers in ((one, 1), (two, 2)):
        run_batch(
            inputs,
            out,
            knowledge,
            fmt="html",
            lang="ru",
            write=writer(out),
            protected=Inputs(),
            workers=workers,
            progress=False,
        )
    names = sorted(p.name for p in one.iterdir())
    assert names == sorted(p.name for p in two.iterdir())
    for name in names:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name


def test_existing_outputs_need_force(tmp_path, knowledge):
    (tmp_path / "nizhny-novgorod.md").write_text("old")
    with pytest.raises(OutputExistsError, match=r"nizhny-novgorod\.md: already exists"):
        run_batch(
            [EXAMPLES / "nizhny-novgorod.yaml"],
            tmp_path,
            knowledge,
            fmt="md",
            lang="en",
            write=writer(tmp_path),
            protected=Inputs(),
            progress=False,
        )
    assert (tmp_path / "nizhny-novgorod.md").read_text() == "old"


def test_an_interrupted_batch_leaves_only_complete_files(tmp_path, knowledge):
    calls = []

    def write(name: str, data):
        if len(calls) == 2:
            raise KeyboardInterrupt
        calls.append(name)
        write_atomic(tmp_path / name, data, inputs=Inputs())

    inputs = [
        EXAMPLES / n
        for n in (
            "nizhny-novgorod.yaml",
            "nascent-cluster.yaml",
            "mature-cluster.yaml",
            "nizhny-novgorod-2014.yaml",
        )
    ]
    with pytest.raises(KeyboardInterrupt):
        run_batch(
            inputs,
            tmp_path,
            knowledge,
            fmt="md",
            lang="en",
            write=write,
            protected=Inputs(),
            workers=2,
            progress=False,
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(calls)
    assert all((tmp_path / n).read_text("utf-8").startswith("# ") for n in calls)


def test_plan_gives_unique_names_and_reads_workbook_sheets(tmp_path, knowledge):
    from tests.engine.deliverables.test_questionnaire import filled_workbook, nn_values

    wb = filled_workbook(knowledge, nn_values())
    second = wb.copy_worksheet(wb.worksheets[0])
    second.title = "Дзержинск"
    wb.save(str(tmp_path / "region.xlsx"))
    sub = tmp_path / "a"
    sub.mkdir()
    (sub / "nizhny-novgorod.yaml").write_bytes((EXAMPLES / "nizhny-novgorod.yaml").read_bytes())
    jobs, failed = plan(
        [
            EXAMPLES / "nizhny-novgorod.yaml",
            sub,
            tmp_path / "region.xlsx",
            tmp_path / "missing.yaml",
        ],
        knowledge,
        "docx",
    )
    assert [j.output for j in jobs] == [
        "nizhny-novgorod.docx",
        "nizhny-novgorod-2.docx",
        "region-Assessment.docx",
        "region-Дзержинск.docx",
        "missing.docx",
    ]
    assert jobs[3].assessment is not None and jobs[3].source.endswith("region.xlsx [Дзержинск]")
    assert failed == []
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="no assessment files"):
        plan([empty], knowledge, "md")


def test_slug_keeps_names_readable_and_safe():
    assert slug("Нижегородский кластер / 2014") == "Нижегородский-кластер-2014"
    assert slug("../../etc/passwd") == "etc-passwd"
    assert slug("   ") == "cluster"


def test_batch_ranks_each_cluster_against_the_batch():
    """issue 10, defect 4: the batch is a peer set; each cluster gets position, N, percentile."""
    from engine.deliverables.portfolio import rank_rows

    rows = [{"index": 10.0}, {"index": 30.0}, {"index": None}, {"index": 20.0}]
    ranked = rank_rows(rows)
    assert [(r["peer_position"], r["peer_n"], r["peer_percentile"]) for r in ranked] == [
        (3, 3, 0),
        (1, 3, 100),
        (None, None, None),
        (2, 3, 50),
    ]


@pytest.mark.parametrize("n", [1, 2, 7, 33, 400])
def test_chunks_cover_every_job_in_order_and_shrink_towards_the_end(n):
    from engine.deliverables.batch import Job, _chunks

    jobs = [Job(i, f"s{i}", f"o{i}") for i in range(n)]
    chunks = _chunks(jobs, 2)
    assert [j for c in chunks for j in c] == jobs
    sizes = [len(c) for c in chunks]
    assert max(sizes) <= 8 and sizes == sorted(sizes, reverse=True)
    if n >= 64:
        assert sizes[0] == 8 and sizes[-4:] == [1, 1, 1, 1]


def test_drafted_pauses_the_collector_and_gives_what_process_gives(knowledge, monkeypatch):
    """`drafted` (the batch's per-cluster call) pauses the cyclic collector for the cluster
    only: the collector is on again afterwards, even when the cluster fails, the cycles the
    cluster left are collected, and the outcome is `process`'s own."""
    import gc
    import weakref

    from engine.deliverables import batch

    work = batch.Work(knowledge, "md", "ru")
    job = batch.Job(0, "nn", "nn.md", path=str(EXAMPLES / "nizhny-novgorod.yaml"))
    assert gc.isenabled()
    drafted = batch.drafted(job, work).data
    assert drafted == batch.process(job, work).data
    # sent as the bytes the writer writes (the parent neither decodes nor encodes them)
    assert isinstance(drafted, bytes) and drafted.decode("utf-8").startswith("#")
    assert gc.isenabled()

    class Node:
        pass

    left: list[weakref.ref[Node]] = []

    def cyclic(job: batch.Job, work: batch.Work) -> batch.Outcome:
        assert not gc.isenabled()  # paused while the cluster is drafted
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        left.append(weakref.ref(a))
        return batch.Outcome(job.index, job.source, job.output)

    monkeypatch.setattr(batch, "process", cyclic)
    batch.drafted(job, work)
    assert gc.isenabled()
    assert left[0]() is None  # the cycle was collected at the cluster's end

    def defect(job: batch.Job, work: batch.Work) -> batch.Outcome:
        raise RuntimeError("a defect")

    monkeypatch.setattr(batch, "process", defect)
    with pytest.raises(RuntimeError):
        batch.drafted(job, work)
    assert gc.isenabled()


def test_a_worker_drafts_a_chunk_with_the_collector_paused_throughout(knowledge, monkeypatch):
    """A worker's chunk (`drafted_chunk`) keeps the collector paused from its first cluster to
    its last: a cycle a cluster left is still there while the next is drafted, and collected at
    the chunk's end; the collector is on again after, and a worker whose parent is gone stops
    before its next cluster."""
    import gc
    import os
    import weakref

    from engine.deliverables import batch

    class Node:
        pass

    left: list[weakref.ref[Node]] = []
    seen: list[bool] = []

    def cyclic(job: batch.Job, work: batch.Work) -> batch.Outcome:
        assert not gc.isenabled()
        seen.append(all(ref() is not None for ref in left))  # earlier clusters' cycles wait
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        left.append(weakref.ref(a))
        return batch.Outcome(job.index, job.source, job.output)

    monkeypatch.setattr(batch, "process", cyclic)
    work = batch.Work(knowledge, "md", "en")
    jobs = [batch.Job(i, f"c{i}", f"c{i}.md") for i in range(3)]
    done = batch.drafted_chunk(jobs, work, os.getppid())
    assert done is not None and [o.index for o in done] == [0, 1, 2]
    assert seen == [True, True, True] and len(left) == 3
    assert gc.isenabled() and all(ref() is None for ref in left)
    assert batch.drafted_chunk(jobs, work, os.getppid() + 1) is None  # orphaned
    assert len(left) == 3 and gc.isenabled()


def test_the_first_cluster_is_drafted_before_the_fork_and_workers_inherit_its_runner(
    tmp_path, knowledge
):
    """With a pool, the parent drafts the first input itself: its runner (and what it warmed) is
    what every forked worker starts from; a worker builds a runner only when it got none."""
    from engine.deliverables import batch

    work = batch.Work(knowledge, "md", "en")
    jobs = [
        batch.Job(i, p.name, f"{p.stem}.md", path=str(p))
        for i, p in enumerate(sorted(EXAMPLES.glob("*.yaml"))[:3])
    ]
    got = list(batch.outcomes(jobs, work, workers=2))
    assert [o.index for o in got] == [0, 1, 2] and all(o.ok for o in got)
    assert work.runner is not None  # built in the parent, by the first cluster
    assert batch._own_work(work).runner is work.runner  # a worker keeps the inherited one
    fresh = batch._own_work(batch.Work(knowledge, "md", "en"))
    assert fresh.runner is not None


def test_a_batch_counts_the_frozen_objects_once(tmp_path, knowledge, monkeypatch):
    """Python counts the frozen objects one by one (the cached knowledge base is ~58 000 of
    them): a batch asks once whether anything is frozen, and its pool and its summaries both
    act on that one answer."""
    import gc

    from engine.deliverables import batch

    asked: list[bool] = []
    count = gc.get_freeze_count

    def heap_frozen() -> bool:
        asked.append(count() > 0)
        return asked[-1]

    monkeypatch.setattr(batch, "heap_frozen", heap_frozen)
    monkeypatch.setattr(gc, "get_freeze_count", _refused)
    inputs = sorted(EXAMPLES.glob("*.yaml"))[:3]
    options = {"fmt": "md", "lang": "en", "protected": Inputs(), "workers": 2, "progress": False}
    report = run_batch(inputs, tmp_path, knowledge, write=writer(tmp_path), **options)
    assert report.exit_code == 0 and len(asked) == 1


def _refused() -> int:
    raise AssertionError("the frozen objects counted again")


@pytest.mark.parametrize("frozen_before", [False, True])
def test_the_summaries_run_with_what_the_batch_kept_frozen(
    tmp_path, knowledge, monkeypatch, frozen_before
):
    """After the pool, the parent's heap (knowledge, runner) is frozen while the summaries are
    written, so no full collection walks it (a parent's 10 ms became 120 once the parent held
    a runner); unfrozen afterwards, even when a summary fails, unless something was frozen
    before (the knowledge base read back from the cache is): that stays frozen."""
    import gc

    from engine.deliverables import batch_summary

    seen: list[int] = []

    def summaries(rows, lang, share, workbook=None, made=None):
        seen.append(gc.get_freeze_count())
        raise RuntimeError("a summary fails")

    monkeypatch.setattr(batch_summary, "summaries", summaries)
    inputs = [EXAMPLES / "nizhny-novgorod.yaml", EXAMPLES / "nascent-cluster.yaml"]
    options = {"fmt": "md", "lang": "en", "protected": Inputs(), "workers": 2, "progress": False}
    held = gc.get_freeze_count()  # this process's own (the cache's), restored at the end
    gc.unfreeze()
    if frozen_before:
        gc.freeze()
    before = gc.get_freeze_count()
    try:
        with pytest.raises(RuntimeError):
            run_batch(inputs, tmp_path, knowledge, write=writer(tmp_path), **options)
        assert seen and seen[0] > before + 1000
        if frozen_before:
            assert gc.get_freeze_count() >= before > 0
        else:
            assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        if held:
            gc.freeze()


@pytest.mark.parametrize("fmt", ["md", "html"])
def test_a_batch_keeping_only_the_derivations_read_drafts_the_same_files(knowledge, fmt):
    """A Markdown or HTML batch keeps only the derivations its program record reads
    (`Work.derivations`): the same file and summary row as with every derivation kept."""
    from engine.deliverables import batch

    path = str(EXAMPLES / "nizhny-novgorod.yaml")
    job = batch.Job(0, "nn", f"nn.{fmt}", path=path)
    slim, full = batch.Work(knowledge, fmt, "ru"), batch.Work(knowledge, fmt, "ru")
    full.derivations = True
    assert slim.derivations is not True and batch.Work(knowledge, "json", "ru").derivations
    a, b = batch.process(job, slim), batch.process(job, full)
    assert (a.data, a.row) == (b.data, b.row)
