"""Uploaded images under /media/, served by the application itself, so that the demo and a small
deployment need no separate media server (DEBUG stays off). A caching proxy in front keeps them.

Only images: Wagtail's renditions (`images/`, what rich text and the back-office show) and the
originals (`original_images/`), by a plain file name with an image extension. Documents are never
served here: they go through `/gov/documents/`, which applies their collection's privacy.
"""

from __future__ import annotations

import re

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest
from django.views.decorators.http import require_safe

ONE_DAY = 60 * 60 * 24
IMAGE_TYPES = {
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
}
# A folder of images, then one file name: no further slashes, no "..", nothing hidden.
IMAGE_NAME = re.compile(r"(?:images|original_images)/[\w][\w.\-]*\.(?P<extension>[A-Za-z]+)")


@require_safe
def image(request: HttpRequest, name: str) -> FileResponse:
    match = IMAGE_NAME.fullmatch(name)
    kind = IMAGE_TYPES.get(match["extension"].lower()) if match else None
    if kind is None or ".." in name or not default_storage.exists(name):
        raise Http404
    response = FileResponse(default_storage.open(name, "rb"), content_type=kind)
    response["Cache-Control"] = f"public, max-age={ONE_DAY}"
    # Nothing in an image may run: no scripts, no plugins, even if opened directly.
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
