"""One answer for everything that goes wrong: a ``Problem`` (``detail`` and ``errors``) with the
status code, whether the endpoint refused the request itself or django-ninja, pydantic or Django
did before it ran; and every operation documents the codes it can answer with that schema."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied, RequestDataTooBig, SuspiciousOperation
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.errors import AuthenticationError, HttpError, ValidationError
from pydantic import BaseModel

from bibliotal.api.schemas import Problem

# Where django-ninja reads a request body from: a body it cannot parse is a 400, one too long a 413.
BODY_SOURCES = {"body", "form", "file"}


def problem(detail: str, errors: list[dict] | None = None) -> dict:
    return Problem.model_validate({"detail": detail, "errors": errors or []}).model_dump()


def standard_problems(operation, path: str) -> set[int]:
    """The error codes an operation can answer without saying so itself: 401 and 403 (every
    operation needs a user with a role), 422 where it takes parameters, 404 where its path names
    something, 400 and 413 where it reads a body."""
    codes = set() if operation.auth_param is None else {401, 403}
    sources = {getattr(model, "__ninja_param_source__", None) for model in operation.models}
    if operation.models:
        codes.add(422)
    if "{" in path:
        codes.add(404)
    if sources & BODY_SOURCES:
        codes |= {400, 413}
    return codes


def document_problems(router: Router) -> None:
    """Add the standard error answers, each a Problem, to every operation of ``router`` (and the
    routers inside it), so that no endpoint can forget one."""
    for path, path_view in router.path_operations.items():
        for operation in path_view.operations:
            for code in sorted(standard_problems(operation, path)):
                if code not in operation.response_models:
                    operation.response_models[code] = operation._create_response_model(Problem)
    for _prefix, child, *_rest in router._routers:
        document_problems(child)


def refuse_nul_characters(view_func):
    """A text with a NUL character is a 422 before the endpoint runs: PostgreSQL can neither
    store nor compare one (SQLite can), and no field of ours means one."""

    @functools.wraps(view_func)
    def checked(request, *args, **values):
        found = list(_nul_locations(values))
        if found:
            message = _("Text may not contain the NUL character.")
            raise ValidationError([{"loc": location, "msg": message} for location in found])
        return view_func(request, *args, **values)

    return checked


def _nul_locations(value, location: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, str):
        if "\x00" in value:
            yield location
    elif isinstance(value, UploadedFile):
        yield from _nul_locations(value.name or "", (*location, "filename"))
    elif isinstance(value, BaseModel):
        yield from _nul_locations(value.model_dump(by_alias=True), location)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _nul_locations(item, (*location, key))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _nul_locations(item, (*location, index))


unknown_addresses = Router()


@unknown_addresses.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def no_such_address(request, rest: str):
    raise Http404


class BibliotalAPI(NinjaAPI):
    """django-ninja with the one Problem answer: its own exception handlers answer with it, each
    router's operations document it as they are added, and no text with a NUL character reaches
    an endpoint."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.add_decorator(refuse_nul_characters, mode="operation")

    def add_router(self, prefix: str, router: Router | str, **kwargs) -> None:
        if isinstance(router, Router):
            document_problems(router)
        super().add_router(prefix, router, **kwargs)

    def set_default_exception_handlers(self) -> None:
        super().set_default_exception_handlers()
        for exc_class, handler in HANDLERS.items():
            self.add_exception_handler(exc_class, self._bound(handler))

    def _bound(self, handler):
        def answer(request: HttpRequest, exc: Exception) -> HttpResponse:
            status, body, headers = handler(exc)
            response = self.create_response(request, body, status=status)
            for name, value in headers.items():
                response[name] = value
            return response

        return answer


def _location(loc) -> list[str | int]:
    """pydantic's location of an error, without the names of its own validators (a union's
    members are named "function-wrap[_run_root_validator()]")."""
    return [
        part if isinstance(part, int) else str(part)
        for part in loc
        if not (isinstance(part, str) and part.startswith("function-"))
    ]


def _validation_error(exc: ValidationError):
    errors = [
        {"location": _location(e.get("loc", ())), "message": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return 422, problem(_("The request does not validate."), errors), {}


def _authentication_error(exc: AuthenticationError):
    detail = _("Log in, or send a valid API token (Authorization: Bearer <token>).")
    return exc.status_code, problem(detail), {"WWW-Authenticate": "Bearer"}


def _http_error(exc: HttpError):
    return exc.status_code, problem(str(exc)), {}


def _not_found(exc: Http404):
    return 404, problem(_("Not found.")), {}


def _permission_denied(exc: PermissionDenied):
    return 403, problem(str(exc) or _("Your role does not allow this.")), {}


def _too_big(exc: RequestDataTooBig):
    return 413, problem(_("The request body is too large.")), {}


def _bad_request(exc: Exception):
    return 400, problem(_("The request body cannot be read.")), {}


HANDLERS = {
    ValidationError: _validation_error,
    AuthenticationError: _authentication_error,
    HttpError: _http_error,
    Http404: _not_found,
    PermissionDenied: _permission_denied,
    RequestDataTooBig: _too_big,
    SuspiciousOperation: _bad_request,
    MultiPartParserError: _bad_request,
}
