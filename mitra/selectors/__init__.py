"""Every non-trivial read of the mitra app, scoped to what the caller may see, one module per
area: `needs` (the board, desks, matches), `proposals` and `partnerships`.

The needs selectors are also importable from here (`from mitra import selectors`), as they were
before the package split; import the others from their module
(`from mitra.selectors import proposals as proposal_selectors`)."""

from mitra.selectors.needs import *  # noqa: F403
