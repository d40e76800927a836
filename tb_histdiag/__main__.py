"""``python -m tb_histdiag`` runs the ``tb-histdiag`` command line."""

import sys

from tb_histdiag.cli import main

sys.exit(main())
