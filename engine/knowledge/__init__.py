"""Step 2a, the knowledge base: its models, reading, the rule language, the rule graph, verification."""
