"""Read an assessment: a YAML file or text, or a filled questionnaire workbook, validated."""

from __future__ import annotations

from pathlib import Path

from engine.assessment.validate import Assessment, validate_mapping
from engine.files.strict_yaml import load_yaml_file, load_yaml_text
from engine.knowledge.models import Knowledge
from engine.resources import display_path


def load_assessment(path: Path, knowledge: Knowledge) -> Assessment:
    """Read an assessment file (YAML, or a filled questionnaire workbook) and validate it."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from engine.assessment.workbook import read_workbook  # only a workbook needs its reader

        return read_workbook(path, knowledge)
    # an assessment is most often a flat mapping: read without the YAML parser when it is
    located = load_yaml_file(path, display_path(path), flat=True)
    return validate_mapping(located.data, located, knowledge)


def assessment_from_text(text: str, name: str, knowledge: Knowledge) -> Assessment:
    """The assessment in YAML text (an upload); `name` is what messages call it."""
    located = load_yaml_text(text, name, flat=True)
    return validate_mapping(located.data, located, knowledge)
