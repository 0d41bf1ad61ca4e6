"""lnanalysis: where was each target of a government plan heading, and where did it land.

The public API is small. Load the data, fit trends, assess targets, draw figures:

>>> import lnanalysis as ln
>>> reg = ln.load_registry()
>>> reg.get("rd_expenditure_doubling").indicator
'rd_expenditure'
"""

from lnanalysis.registry import Registry, Target, load_registry
from lnanalysis.store import load_observations, load_preferred, preferred_series

__all__ = [
    "Registry",
    "Target",
    "load_observations",
    "load_preferred",
    "load_registry",
    "preferred_series",
]
__version__ = "0.1.0"
