"""Words a reader reads that are not advice: UI strings (templates/strings.yaml), numbers."""
