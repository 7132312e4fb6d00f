from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers

from bibliotal.core import audit


class LanguageMiddleware:
    """Danish first: the language is the one the user chose (cookie), else Danish.

    Unlike Django's LocaleMiddleware this ignores the browser's Accept-Language, so a Danish
    library's staff see Danish whatever their browser says, and English is one click away.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        request.LANGUAGE_CODE = language
        # Only for this request: a thread that serves the next one (or a test that runs after a
        # request in English) must not stay in this request's language.
        with translation.override(language):
            response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class AuditContextMiddleware:
    """Every audit entry written while serving a request names the request's user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        source = "api" if request.path.startswith("/api/") else "web"
        with audit.acting(request=request, source=source):
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """Nothing is loaded from anywhere but this server."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'; object-src 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = self.POLICY
        # The logout form is followed to the OpenID provider's logout, when that is turned on.
        config = getattr(settings, "OPENID_CONNECT", None)
        if config is not None and config.provider_logout:
            from bibliotal.core.oidc import origin

            self.policy = self.POLICY.replace(
                "form-action 'self'", f"form-action 'self' {origin(config.issuer)}"
            )

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class UploadLimitMiddleware:
    """A request body longer than the upload limit is answered 413 before it is read: the
    server never holds, parses or stores it. Pages get a page, the API its Problem body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        # The form around the file (fields, boundaries) is allowed a little on top of the file.
        if length > limit + 64 * 1024:
            return self.refuse(request, length, limit)
        return self.get_response(request)

    @staticmethod
    def refuse(request, length: int, limit: int):
        from django.http import JsonResponse
        from django.shortcuts import render
        from django.utils.translation import gettext as _

        from bibliotal.core.imports import megabytes

        detail = _(
            "The file is %(size)s; the largest file an upload may be is %(limit)s. Split it "
            "into smaller files, or ask an administrator to import it on the server (the "
            "command “bibliotal import”)."
        ) % {"size": megabytes(length), "limit": megabytes(limit)}
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": detail}, status=413)
        else:
            response = render(request, "413.html", {"detail": detail}, status=413)
        # The body is left unread: the connection cannot carry another request after it.
        response["Connection"] = "close"
        return response
