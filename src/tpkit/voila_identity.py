"""Who the app's visitors are, for Voila: nobody in particular (the app listens on
127.0.0.1 only), as with Voila's own default — plus the ``_xsrf`` cookie.

Voila's page says goodbye on every reload or closed tab with ``POST
/voila/api/shutdown/<kernel>``, sending the ``_xsrf`` cookie's value as the form's
``_xsrf`` field. Voila 0.5 renders its page without ever touching the XSRF token, so
the cookie is never set, the request is refused with 403 ("'_xsrf' argument missing")
and the kernel stays alive (voila-dashboards/voila#1458). Reading the token on the
page's request makes tornado set the cookie, and XSRF protection stays on.

Imported by the Voila server only (``--Voila.identity_provider_class``), never by
``import tpkit``.
"""

from __future__ import annotations

import inspect
from typing import Any

from jupyter_server.auth import PasswordIdentityProvider
from voila.handler import VoilaHandler


class XsrfCookieIdentityProvider(PasswordIdentityProvider):
    async def get_user(self, handler: Any) -> Any:
        user = super().get_user(handler)
        if inspect.isawaitable(user):
            user = await user
        if isinstance(handler, VoilaHandler) and handler.request.method == "GET":
            handler.current_user = user  # what tornado's token asks for (set just after, too)
            handler.xsrf_token  # noqa: B018 (the read sets the cookie when it is missing)
        return user
