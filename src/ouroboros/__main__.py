"""``python -m ouroboros``: the same CLI as the ``ouroboros`` script."""

from ouroboros.interfaces.cli.app import main

main()
