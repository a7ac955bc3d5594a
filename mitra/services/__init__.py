"""Every write of the mitra app, one module per area: `needs` (needs, their matching and
expiry), `proposals` (Posyantek answers and their acceptance into orders), `partnerships`
(agreements, consent, milestones) and `supply` (recurring supply orders on schedule).

The needs services are also importable from here (`from mitra import services`), as they were
before the package split; import the others from their module
(`from mitra.services.proposals import proposal_accept`)."""

from mitra.services.needs import *  # noqa: F403
from mitra.services.needs import PARTNER_KINDS  # noqa: F401
