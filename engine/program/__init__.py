"""Step 7, the document view model: sections, KPIs, partners, charts, the JSON result."""
