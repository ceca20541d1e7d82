"""cluster-intl engine: assessment -> facts -> forward chaining -> program model -> rendering.

The pipeline, one module per step:
    load (strict YAML with positions) -> knowledge / assessment (validate) -> measures (derived values)
    -> facts -> rules (compile YAML rules to experta) -> inference (run, record every firing)
    -> program (document model) -> render (Jinja2).
"""

__version__ = "0.1.0"
