"""engine/knowledge/models.py: `Knowledge.derived_each`, a memo of what the knowledge alone decides
for one id, built when first asked for (a cold draft builds only the sources it cites)."""

from __future__ import annotations

from engine.program.back_matter import _source_entry
from engine.program.sections import _source_dict
from engine.text.message import Locale, localize


def test_each_id_is_built_once_when_first_asked_for(knowledge):
    built: list[str] = []

    def build(k, key):
        built.append(key)
        return [key]

    first = knowledge.derived_each(build, "a")
    assert knowledge.derived_each(build, "a") is first and built == ["a"]
    assert knowledge.derived_each(build, "b") == ["b"] and built == ["a", "b"]

    def other(k, key):  # another build keeps a table of its own
        return key.upper()

    assert knowledge.derived_each(other, "a") == "A"


def test_a_sources_shared_entries_read_as_built_anew(knowledge):
    for sid in list(knowledge.source)[:40]:
        entry = knowledge.derived_each(_source_entry, sid)
        assert knowledge.derived_each(_source_entry, sid) is entry
        assert knowledge.derived_each(_source_dict, sid) == _source_dict(knowledge, sid)
        for lang in ("ru", "en"):
            assert localize(entry, Locale(lang)) == localize(
                _source_entry(knowledge, sid), Locale(lang)
            )
