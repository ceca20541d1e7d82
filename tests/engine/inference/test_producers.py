"""The runner's index of the firings by what they declared (built in its pass over the
declarations) is the one `Result.producers` builds itself from the firing record."""

from __future__ import annotations

from dataclasses import replace


def test_the_runner_s_index_of_producers_is_the_record_s(nn_result):
    own = replace(nn_result)  # a copy that indexes its firings itself, on first ask
    keys = {(d.kind, d.id) for f in nn_result.firings for d in f.declared}
    assert len(keys) > 10
    for kind, ident in sorted(keys) + [("finding", "none.such")]:
        got, built = nn_result.producers(kind, ident), own.producers(kind, ident)
        assert [id(f) for f in got] == [id(f) for f in built], ident
