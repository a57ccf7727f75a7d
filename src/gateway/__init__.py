"""Smart Bridge gateway: the data plane.

An ASGI application that runs from the control plane's signed policy snapshots: it authenticates
consumers, authorizes calls against grants, checks consent, applies rate limits, forwards calls
to providers and keeps a hash-chained, signed message log. It never imports Django or ``egov``.
"""

__version__ = "0.1.0"
