"""The translator workspace over HTTP (``i18n-pipeline serve``): an ASGI app calling ``workspace``.

The library never imports this package; this package imports only the library's public calls.
"""

from .app import WebConfig, create_app

__all__ = ["WebConfig", "create_app"]
