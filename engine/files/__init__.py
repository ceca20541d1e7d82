"""Bytes on disk: strict YAML with positions, the one atomic writer, stable zips, the cache."""
