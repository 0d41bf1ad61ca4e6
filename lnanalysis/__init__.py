"""lnanalysis: where was each target of a government plan heading, and where did it land.

The public API is small. Load the data, fit trends, assess targets, draw figures:

>>> import lnanalysis as ln
>>> reg = ln.load_registry()
>>> reg.get("rd_expenditure_doubling").indicator
'rd_expenditure'
"""

from lnanalysis.store.observations import load_observations, load_preferred, preferred_series
from lnanalysis.targets.registry import Registry, Target, load_registry

__all__ = [
    "Registry",
    "Target",
    "load_observations",
    "load_preferred",
    "load_registry",
    "preferred_series",
]
__version__ = "0.1.0"
