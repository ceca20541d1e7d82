"""The models of `knowledge/document.yaml`: the bodies, plan schedules, support instruments,
roles, risks, abbreviations and works the client's document is built from."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from engine.knowledge.base import Basis, Strict, Text

# ISO 3166-1 leaves ZZ to users (CLDR reads it "unknown region"); no real country will take it, so
# a test or an example that needs "a country the knowledge base has no profile for" names ZZ and
# keeps meaning that whatever profiles authors add (issue 23 item 1)
UNPROFILED_COUNTRY = "ZZ"


class BodyName(Strict):
    if_: list[str] = Field(alias="if", min_length=1)
    name: Text


class Body(Strict):
    """A body of the cluster's management (dissertation Fig. 28) or of the region."""

    id: str
    name: Text
    name_indicator: str | None = None  # an assessment field that names it for this client
    description: Text | None = None
    # the name when every finding of `if` is made (e.g. no expert group: the manager alone)
    renamed: list[BodyName] = Field(default_factory=list)


class Institution(Strict):
    """A public institution of one country that measures name (`{country:key}` in a text)."""

    name: Text
    source: str | None = None  # a source of sources.yaml that shows the institution exists
    checked: str | None = None  # the date the source was read (YYYY-MM-DD)


class CountryProfile(Strict):
    """What the program says differently for clusters of one country (`default`: any other)."""

    institutions: dict[str, Institution]
    # the method's survey benchmarks (Russian clusters, 2013) are this country's own
    native_benchmarks: bool = False
    note: Text | None = None  # said once in the method notes of a cluster of this country


class Instrument(Strict):
    """A support instrument that can fund a measure; `countries` empty: available anywhere."""

    id: str
    name: Text
    countries: list[str] = Field(default_factory=list)
    available_from: int | None = None  # first year the instrument exists
    available_until: int | None = None  # last year it exists (dissolved or under review)
    # findings that must be made for the instrument to apply (e.g. governance.pilot)
    requires: list[str] = Field(default_factory=list)
    # false: it supports a measure without paying any of its cost (export credit insurance, a free
    # digital service): named as support, never given an amount of the budget
    pays: bool = True
    basis: Basis = "proposal"
    # the name when every finding of `if` is made (a Russian region's budget: its state program)
    renamed: list[BodyName] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)  # sources.yaml entries that describe it

    def name_for(self, findings: set[str] | frozenset[str]) -> Text:
        """The instrument's name for a cluster with these findings (its first `renamed` whose
        findings are all made, else its name)."""
        return next((r.name for r in self.renamed if all(f in findings for f in r.if_)), self.name)


class PlanEntry(Strict):
    """When and with whom a measure is done: program year and quarter, co-executors, funding."""

    start: tuple[int, int]
    end: tuple[int, int] | None = None  # None: to the end of the program
    co_executors: list[str] = Field(default_factory=list)  # body ids
    funding: list[str] = Field(default_factory=list)  # instrument ids


class Function(Strict):
    """A row of the responsibility matrix: what is done and the role of each body in it."""

    id: str
    label: Text
    roles: dict[str, Literal["lead", "approve", "take_part", "informed"]]
    basis: Basis = "proposal"


class Risk(Strict):
    id: str
    text: Text
    probability: Literal["low", "medium", "high"]
    impact: Literal["low", "medium", "high"]
    mitigation: Text
    owner: str  # body id
    when_findings: list[str] = Field(default_factory=list)  # shown when any holds; empty: always
    basis: Basis = "proposal"


class Abbreviation(Strict):
    short: Text
    full: Text
    countries: list[str] = Field(default_factory=list)


class Work(Strict):
    """One bibliographic entry (ГОСТ Р 7.0.100) for all the sources that cite the same work."""

    id: str
    entry: Text
    sources: list[str]


class Reworded(Strict):
    """A text said otherwise when every finding of `if` is made."""

    if_: list[str] = Field(alias="if", min_length=1)
    text: Text


class DocumentFile(Strict):
    """The parts of the client's document: bodies, plan, funding, risks, references."""

    contractor: Text
    approval: Text
    # the approval otherwise (no Cluster Council yet: the program cannot be approved by it)
    approval_reworded: list[Reworded] = Field(default_factory=list)
    version: str
    goal: Text
    tasks_intro: Text
    bodies: list[Body]
    actor_bodies: dict[str, str]  # recommendation actor -> responsible body id
    neutral_names: dict[str, Text] = Field(default_factory=dict)
    functions: list[Function]
    instruments: list[Instrument]
    funding_by_actor: dict[str, list[str]]
    plan: dict[str, PlanEntry]
    default_plan: PlanEntry
    risks: list[Risk]
    abbreviations: list[Abbreviation]
    works: list[Work]
    accessed: str  # the access date printed after addresses (ГОСТ Р 7.0.100)
    method_annex: list[Text]
    # per country code (ISO 3166-1) and `default`: institutions, benchmarks, a note
    country_profiles: dict[str, CountryProfile] = Field(default_factory=dict)

    @field_validator("country_profiles")
    @classmethod
    def _no_reserved_profile(cls, v: dict[str, CountryProfile]) -> dict[str, CountryProfile]:
        """A profile never takes the reserved code: tests need a country no profile can name."""
        if UNPROFILED_COUNTRY in v:
            raise ValueError(
                f"{UNPROFILED_COUNTRY!r} is reserved for a country without a profile (ISO 3166 "
                "user-assigned code, never a real country); give the profile its country's code"
            )
        return v

    summary_measures: int = 7
    summary_targets: int = 5
    summary_conclusions: int = 5
