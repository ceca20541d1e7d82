"""Many clusters at once: one program per assessment, a summary table and a comparison chart.

Inputs are assessment files, folders of them, or workbooks with one questionnaire sheet per cluster.
The work is spread over a fork-based process pool (experta engines do not pickle: the workers
inherit the engine the parent built on the first cluster); results come back in input order and
the caller writes them through a callback (`engine.files.atomic.write_atomic` in the CLI), so an
interrupted batch leaves only complete files. A bad input is reported and skipped; the rest go on.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import re
import signal
import threading
import unicodedata
from collections.abc import Callable, Generator, Iterator
from contextlib import closing
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from pathlib import Path
from typing import Any

from engine.assessment.load import load_assessment
from engine.assessment.validate import Assessment
from engine.assessment.workbook import read_workbook_sheets
from engine.deliverables.batch_pool import Draft, Pool
from engine.deliverables.batch_summary import (
    frozen_heap,
    heap_frozen,
    workbook_child,
    write_summaries,
)
from engine.deliverables.batch_write import OrderedWriter, map_name, progress_bar
from engine.deliverables.portfolio import dashboard, failed_row, rank_rows, summary_row
from engine.deliverables.summary import SUMMARY_FILES
from engine.errors import (
    ClusterIntlError,
    InputError,
    OutputExistsError,
    UsageError,
    printable,
)
from engine.files.atomic import Inputs, check_target, payload
from engine.files.folders import folder_entries
from engine.inference.run import Runner
from engine.knowledge.models import Knowledge
from engine.measures import compute
from engine.program import model as program
from engine.program.budget import build_budget
from engine.program.document import build_document
from engine.program.firmness import map_of
from engine.program.result_json import result_json
from engine.program.scores import DERIVATIONS_READ
from engine.render.formats import get_format
from engine.render.formats import render as render_format
from engine.render.jinja import to_json
from engine.render.sensitivity_text import map_words
from engine.resources import display_path
from engine.text.message import Locale, localize

SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm")
WORKBOOKS = (".xlsx", ".xlsm")

Writer = Callable[[str, "str | bytes"], None]


@dataclass(frozen=True)
class Job:
    """One cluster to draft: a file to load in the worker, or an assessment read from a workbook."""

    index: int
    source: str
    output: str
    path: str | None = None
    assessment: Assessment | None = None
    map_output: str | None = None  # --sensitivity: the file of its sensitivity map


@dataclass
class Outcome:
    index: int
    source: str
    output: str | None
    data: str | bytes | None = None
    row: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # fields read from an earlier format
    extra: list[tuple[str, str | bytes]] = field(default_factory=list)  # more files (the map)

    @property
    def ok(self) -> bool:
        """Whether the cluster was drafted (no problems)."""
        return not self.problems


@dataclass
class Report:
    total: int
    failed: list[Outcome]
    rows: list[dict[str, Any]]
    written: list[str]

    @property
    def exit_code(self) -> int:
        """The command's exit code: 1 when some input failed."""
        return 1 if self.failed else 0


# --- planning -------------------------------------------------------------------------------------


MAX_STEM_BYTES = 120  # file names are limited in bytes (255 on most systems), not characters


def slug(text: str) -> str:
    """A file-name stem: letters (any script), digits, dots, dashes and underscores, at most
    MAX_STEM_BYTES of UTF-8 (80 CJK characters are 240 bytes). Bytes of a name that is not
    UTF-8 (surrogate escapes) and lone surrogates are not letters: they become dashes."""
    text = unicodedata.normalize("NFKC", text.encode("utf-8", "replace").decode("utf-8")).strip()
    text = re.sub(r"[^\w.-]+", "-", text, flags=re.UNICODE).strip("-._")
    while len(text.encode("utf-8")) > MAX_STEM_BYTES:
        text = text[:-1]
    return text.rstrip("-._") or "cluster"


def expand(inputs: list[Path], exclude: Path | None = None) -> list[Path]:
    """Files in the order given; a folder contributes its assessment files, sorted by name."""
    out: list[Path] = []
    skip = exclude.resolve() if exclude else None
    for item in inputs:
        if item.is_dir():
            if skip and item.resolve() == skip:
                continue
            out += sorted(
                p
                for p in folder_entries(item, "batch")
                if p.is_file()
                and p.suffix.lower() in SUFFIXES
                and not p.name.startswith((".", "~$"))
            )
        else:
            out.append(item)
    return out


def plan(
    inputs: list[Path],
    k: Knowledge,
    fmt: str,
    exclude: Path | None = None,
    sensitivity: bool = False,
) -> tuple[list[Job], list[Outcome]]:
    """The jobs, with unique output names, and the inputs that failed before any work (workbooks
    are read here, one job per questionnaire sheet); with `sensitivity`, each job also names the
    file of its map (`<name>.sensitivity.json`)."""
    extension = get_format(fmt, "program").extension
    files = expand(inputs, exclude)
    if not files:
        raise UsageError("no assessment files found in the inputs (.yaml, .yml, .xlsx)")
    jobs: list[Job] = []
    failed: list[Outcome] = []
    used: set[str] = set(SUMMARY_FILES)

    def name_for(stem: str) -> str:
        base = slug(stem)
        name, n = f"{base}.{extension}", 2
        while name.lower() in used:
            name, n = f"{base}-{n}.{extension}", n + 1
        used.add(name.lower())
        return name

    index = 0
    for path in files:
        shown = printable(display_path(path))
        if path.suffix.lower() in WORKBOOKS:
            try:
                sheets = read_workbook_sheets(path, k)
            except InputError as exc:
                failed.append(Outcome(index, shown, None, problems=_lines(exc)))
                index += 1
                continue
            for sheet in sheets:
                source = f"{shown} [{sheet.sheet}]" if len(sheets) > 1 else shown
                stem = f"{path.stem}-{sheet.sheet}" if len(sheets) > 1 else path.stem
                if sheet.problems or sheet.assessment is None:
                    failed.append(
                        Outcome(index, source, None, problems=[p.format() for p in sheet.problems])
                    )
                else:
                    a = sheet.assessment
                    jobs.append(
                        Job(
                            index,
                            source,
                            name_for(stem),
                            assessment=Assessment(
                                source,
                                a.values,
                                a.positions,
                                a.provenance,
                                a.budget_overrides,
                                a.kpi_targets,
                                notices=a.notices,
                            ),
                        )
                    )
                index += 1
        else:
            jobs.append(Job(index, shown, name_for(path.stem), path=str(path)))
            index += 1
    if sensitivity:  # each map beside its program
        jobs = [replace(j, map_output=map_name(j.output, used)) for j in jobs]
    return jobs, failed


def _lines(exc: ClusterIntlError) -> list[str]:
    if isinstance(exc, InputError):
        return [p.format() for p in exc.problems] or [str(exc)]
    return [str(exc)]


# --- the work of one cluster (in a worker) --------------------------------------------------------


@dataclass
class Work:
    """What every job of one batch needs: the knowledge, the format, the language and a runner
    (built on first use). The parent makes one per batch and passes it down; a forked worker
    receives it through its pool initializer, which builds the worker's own runner (nothing is
    module-level)."""

    knowledge: Knowledge
    fmt: str
    lang: str
    runner: Runner | None = None
    sensitivity: bool = False  # also each cluster's sensitivity map (reruns on this runner)

    def run(self, a: Assessment) -> Any:
        """The result of one assessment, on this batch's (or this worker's) runner."""
        if self.runner is None:
            self.runner = Runner(self.knowledge)
        measures = compute(a, self.knowledge, derivations=self.derivations)
        return self.runner.run(a, measures, facts=self.trace_facts)

    @cached_property
    def trace_facts(self) -> bool:
        """Whether the firing record keeps the facts each firing matched: only the JSON result's
        trace shows them (the documents read the conditions)."""
        return "data" in get_format(self.fmt, "program").renderers["program"].reads

    @cached_property
    def derivations(self) -> bool | frozenset[str]:
        """The measures whose derivations the run keeps: all for the JSON result (it shows
        them), else those the program record reads (the documents' reasons read none)."""
        return True if self.trace_facts else DERIVATIONS_READ

    @cached_property
    def locale(self) -> Locale:
        """The reader's language, one for every cluster: its memo keeps the words of what the
        knowledge alone decides (`Known`); the record fields the format never reads are left
        out."""
        renderer = get_format(self.fmt, "program").renderers["program"]
        return Locale(self.lang, unread=renderer.unread_records())


def _init_worker(work: Work) -> Draft:
    """The pool's start, in each worker: its signals, its engine (see `_own_work`), and how it
    drafts a chunk (`drafted_chunk`).

    A worker is born with SIGINT blocked (see `outcomes`) and ignores it from here on: Ctrl-C
    goes to the whole process group, and only the parent acts on it, by stopping the workers.
    SIGTERM gets its default action, so a stopped worker ends without a traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT, signal.SIGTERM})
    mine = _own_work(work)
    return lambda chunk, parent: drafted_chunk(chunk, mine, parent)


def _own_work(work: Work) -> Work:
    """A worker's `Work`: its forked copy of the parent's, with the runner and memos the parent
    warmed on the first cluster (built once, not in each worker), or a runner of its own."""
    if work.runner is None:
        work.runner = Runner(work.knowledge)
    return work


def process(job: Job, work: Work) -> Outcome:
    """Load, infer, render one cluster; a user error becomes a reported outcome, never a crash."""

    k = work.knowledge
    fmt, lang = work.fmt, work.lang
    try:
        a = job.assessment or load_assessment(Path(job.path or ""), k)
        result = work.run(a)

        # the batch drafts the client's document and its summary: none of the consultant's
        # reasons (of each measure, of each measure not made)
        titles = "recommendations" not in work.locale.unread.get("KpiRow", ())
        unread = get_format(fmt, "program").renderers["program"].unread
        charts = "charts" not in unread
        record = program.build_program(result, k, reasons=False, kpi_titles=titles, charts=charts)
        # the document's and the summary row's, in the record's order (not worked out again)
        budget = build_budget(result, k, [r["id"] for r in record["recommendations"]])
        document: list[dict[str, Any]] = []  # the document view, if the format renders one

        def _document() -> dict[str, Any]:
            built = build_document(record, result, k, budget=budget).leaving_out(unread)
            document.append(localize(built, work.locale))
            return document[0]

        data = render_format(
            "program",
            fmt,
            view=_document,
            data=lambda: result_json(result, k),
            template=lambda: None,
        )
        view = document[0] if document else localize(record, Locale(lang, typography=False))
        row = summary_row(job.source, job.output, result, view, k, budget)
        notices = [n.problem.format(with_severity=True) for n in a.notices]
        extra: list[tuple[str, str | bytes]] = []
        if job.map_output and work.sensitivity and work.runner is not None:
            words = map_words(map_of(result, k, work.runner), lang)
            extra.append((job.map_output, payload(to_json(words))))
        # sent to the parent as the bytes it writes: it then neither decodes a pickled text
        # nor encodes it again (~0.2 ms of the parent's time for a Russian program)
        return Outcome(
            job.index, job.source, job.output, payload(data), row, notices=notices, extra=extra
        )
    except ClusterIntlError as exc:
        return Outcome(job.index, job.source, None, problems=_lines(exc))
    except Exception as exc:  # a defect must not stop the other clusters; it is still reported
        return Outcome(
            job.index,
            job.source,
            None,
            problems=[f"{job.source}: internal error: {type(exc).__name__}: {exc}"],
        )


def drafted(job: Job, work: Work) -> Outcome:
    """`process(job)` with the cyclic garbage collector paused (see `collector_paused`)."""
    with collector_paused():
        return process(job, work)


def drafted_chunk(chunk: list[Job], work: Work, parent: int) -> list[Outcome] | None:
    """A worker's chunk, each job `process`ed, with the collector paused for the whole chunk:
    the young collection at the end of each cluster walked the ~1,500 objects the runner keeps
    of its last run, and found nothing (the clusters leave no cycles; any that one left are
    collected at the chunk's end). None if the worker was orphaned meanwhile (its `parent` is
    gone: nobody will read what is drafted)."""
    done = []
    with collector_paused():
        for job in chunk:
            if os.getppid() != parent:
                return None
            done.append(process(job, work))
    return done


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic garbage collector off meanwhile, then one young collection and on again.

    A cluster builds a document of tens of thousands of objects that live until it is
    written: the collector, run every 700 allocations, walked them over and over (a tenth of a
    cluster's time). Paused, what the clusters left behind is collected once, at the end (the
    objects created since the last collection are all in the youngest generation then)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.collect(0)
        if enabled:
            gc.enable()


class Terminated(KeyboardInterrupt):
    """SIGTERM during a batch: handled like Ctrl-C (workers stopped, complete files only)."""


def _terminate(signum: int, frame: Any) -> None:
    raise Terminated


def outcomes(
    jobs: list[Job], work: Work, workers: int = 2, held: bool | None = None
) -> Generator[Outcome, None, None]:
    """Process the jobs (on `workers` forked processes when it helps), yielding in input order;
    `held`: whether the heap was frozen before the batch (see `frozen_heap`)."""
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(jobs) < 2 or not can_fork:
        for job in jobs:
            yield drafted(job, work)
        return
    main = threading.current_thread() is threading.main_thread()
    old_term = signal.signal(signal.SIGTERM, _terminate) if main else None
    try:
        yield from _pooled(jobs, work, workers, held)
    finally:
        if old_term is not None:
            signal.signal(signal.SIGTERM, old_term)


def _pooled(
    jobs: list[Job], work: Work, workers: int, held: bool | None
) -> Generator[Outcome, None, None]:
    """The first job drafted here before the fork (the workers inherit what it warmed), handed on
    once the pool is up (no fork while the writer writes it); the others on forked workers."""
    first = drafted(jobs[0], work)
    chunks = _chunks(jobs[1:], workers)
    # objects that exist before the fork are never collected in a worker: frozen, the collector
    # leaves their pages alone instead of copying the parent's heap into every worker
    gc.collect()
    with frozen_heap(held):
        pool = Pool(min(workers, len(chunks)), partial(_init_worker, work), _died)
        try:
            yield first
            yield from pool.run(chunks)
        except BaseException:  # Ctrl-C, SIGTERM, or the consumer stopped early
            pool.kill()
            raise
        finally:
            pool.close()


def _chunks(jobs: list[Job], workers: int) -> list[list[Job]]:
    """Chunks of at most 8 jobs that shrink towards the end: few round trips while there is
    much to do, and the workers finish together (a last big chunk leaves a core idle)."""
    chunks, i = [], 0
    while i < len(jobs):
        size = max(1, min(8, (len(jobs) - i) // (workers * 4)))
        chunks.append(jobs[i : i + size])
        i += size
    return chunks


def _died(job: Job) -> Outcome:
    return Outcome(
        job.index,
        job.source,
        None,
        problems=[f"{job.source}: internal error: the worker process drafting it stopped"],
    )


# --- the whole batch ------------------------------------------------------------------------------


def run_batch(
    inputs: list[Path],
    out_dir: Path,
    k: Knowledge,
    *,
    fmt: str,
    lang: str,
    write: Writer,
    force: bool = False,
    workers: int = 2,
    report: Callable[[str], None] = lambda _: None,
    progress: bool = True,
    protected: Inputs,
    sensitivity: bool = False,
) -> Report:
    """Plan, check every output, process with a progress bar, write, then the summary.

    Every output is checked before any work (an existing file without --force, an input, a
    link or a FIFO is refused), and `write` still creates each file exclusively without
    --force: a second batch into the same folder fails instead of replacing the first's files.
    A program that cannot be written (full disk, a name the filesystem refuses) is that input's
    failure; the others go on and the summary says so. `protected`: the command's inputs (the
    batch inputs among them), never replaced."""
    jobs, early = plan(inputs, k, fmt, exclude=out_dir, sensitivity=sensitivity)
    targets = [j.output for j in jobs] + [j.map_output for j in jobs if j.map_output]
    targets += list(SUMMARY_FILES)
    if not force:
        clash = [name for name in targets if os.path.lexists(out_dir / name)]
        if clash:
            more = f" (and {len(clash) - 1} more)" if len(clash) > 1 else ""
            raise OutputExistsError(
                f"{printable(out_dir / clash[0])}: already exists{more}; use --force to overwrite"
            )
    for name in targets:
        check_target(out_dir / name, force=force, inputs=protected)
    for o in early:
        for line in o.problems:
            report(line)
    total = len(jobs) + len(early)
    # the workbook's child, forked before any thread of this batch starts: it imports openpyxl
    # while the workers draft, then waits for the rows
    book = workbook_child(lang, total, workers)
    try:
        done: dict[int, Outcome] = {o.index: o for o in early}
        with progress_bar(total, progress) as advance:
            advance(len(early))
            # the writer thread writes (and flushes to disk) while the workers draft on. closing():
            # an interrupt stops the pool here and now, not whenever the generator is collected (a
            # pool terminated from a garbage-collection pass can deadlock); then the writer writes
            # what was drafted before it, and stops
            work = Work(k, fmt, lang, sensitivity=sensitivity)
            held = heap_frozen()  # asked once: Python counts the frozen objects one by one
            with (
                OrderedWriter(write, report, advance) as writer,
                closing(outcomes(jobs, work, workers, held)) as results,
            ):
                for o in results:
                    for line in o.notices:  # warnings: the cluster is drafted all the same
                        report(line)
                    done[o.index] = o
                    writer.put(o)
            written = writer.written
        ordered = [done[i] for i in sorted(done)]
        rows = rank_rows(
            [o.row if o.ok and o.row else failed_row(o.source, o.problems) for o in ordered]
        )
        rows = dashboard(rows, k)
        share = k.program.portfolio.distinguishing_share
        write_summaries(rows, lang, share, write, written, workers, held, book)
        return Report(
            total=total, failed=[o for o in ordered if not o.ok], rows=rows, written=written
        )
    finally:
        if book is not None:
            book.close()


# --- the summary ----------------------------------------------------------------------------------
