"""MBG/NBD: the modified beta-geometric / NBD model.

Batislam, E. P., Denizel, M. & Filiztekin, A. (2007). Empirical validation and
comparison of models for customer base analysis. *International Journal of
Research in Marketing* 24(3), 201-209.

The BG/NBD lets a customer drop out only after a repeat purchase, so a
customer with no repeat purchase is certainly alive.  The MBG/NBD lets her
drop out right after every purchase, the first one included.  In every
formula this replaces ``b + x`` by ``b + x + 1`` and makes the dropout term
present for ``x = 0`` too; for example the likelihood becomes

``L = B(a, b+x+1)/B(a, b) * G(x)/(alpha+T)^(r+x)
+ B(a+1, b+x)/B(a, b) * G(x)/(alpha+t_x)^(r+x)``

and ``P(alive) = 1 / (1 + a/(b+x) * ((alpha+T)/(alpha+t_x))^(r+x))``.
The code is shared with :class:`~clientela.value.models.bg_nbd.BetaGeo`
through its ``_shift`` class attribute; every docstring there applies with
``x' = x + 1``.
"""

from __future__ import annotations

from typing import ClassVar

from clientela.value.models.bg_nbd import BetaGeo


class ModifiedBetaGeo(BetaGeo):
    """MBG/NBD model (Batislam, Denizel & Filiztekin 2007).

    Same columns, parameters (``r, alpha, a, b``) and methods as
    :class:`~clientela.value.models.bg_nbd.BetaGeo`.
    """

    _shift: ClassVar[int] = 1
