"""Step 8, view model to text or bytes: Jinja (Markdown, HTML) and Word."""
