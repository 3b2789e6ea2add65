"""``python -m paraph_platform.mailsink``: see the package's docstring."""
import sys

from .sink import main

sys.exit(main())
