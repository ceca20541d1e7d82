"""Read from the trace: why, why-not, the minimal-change search, what-if, and their text."""
