"""Entry point of the frozen build: the same CLI as the `hfs-viewer` console script."""

import sys

from viewer.cli import main

if __name__ == "__main__":
    sys.exit(main())
