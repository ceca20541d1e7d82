"""`python -m cli`: the same as the `cluster-intl` command."""

from cli import main

main()
