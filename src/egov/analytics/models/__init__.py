from egov.analytics.models.catalog import Column, Dataset, Load, Source
from egov.analytics.models.dashboards import Dashboard, Revision, Tile
from egov.analytics.models.indicators import Indicator, Target

__all__ = [
    "Column",
    "Dashboard",
    "Dataset",
    "Indicator",
    "Load",
    "Revision",
    "Source",
    "Target",
    "Tile",
]
