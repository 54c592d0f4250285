"""Moved to :mod:`clientela.crm.labels` (the HTML report draws translated charts too);
re-exported here for code written before the move. New code imports ``clientela.crm.labels``."""

from clientela.crm.labels import *  # noqa: F403
from clientela.crm.labels import label  # noqa: F401
