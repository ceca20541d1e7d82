"""Rule-author tools (`kb ...`): scenarios, catalogue, JSON Schema, CLIPS export."""
