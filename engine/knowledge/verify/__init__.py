"""The meaning pass of `kb check`: references, values, rule logic."""
