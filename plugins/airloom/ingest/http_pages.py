"""Every record of a paginated JSON API, through the HTTP provider's ``HttpHook``.

The connection gives the base URL, authentication and default headers; pagination follows a
next link found in each response, or counts pages, or moves an offset. Neither links nor
redirects leave the connection's base URL, so its credentials are not sent to another host.
Which addresses may be reached at all is the hook's business (``GuardedHttpHook``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urljoin

PaginationStyle = Literal["none", "next_link", "page", "offset"]


class HttpIngestError(RuntimeError):
    """A page could not be fetched or read: names the page, its URL and what was wrong."""


@dataclass(frozen=True)
class Pagination:
    style: PaginationStyle = "none"
    next_link_path: str = "next"  # where a response holds the next page's URL
    page_param: str = "page"
    first_page: int = 1
    offset_param: str = "offset"
    limit_param: str = "limit"
    page_size: int = 100  # the limit sent with offset pagination
    max_pages: int = 100  # requests at most; more pages than that is an error, not a silent cut


def dig(document: Any, path: str) -> Any:
    """The value at a dotted path such as ``data.items`` (``""`` is the document itself).

    :raises KeyError: naming the first missing part.
    """
    value = document
    for part in path.split(".") if path else ():
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            raise KeyError(part)
    return value


def _under(url: str, base_url: str) -> bool:
    return url.startswith(base_url.rstrip("/") + "/")


def _endpoint_of(link: str, current_url: str, base_url: str, label: str) -> str:
    absolute = urljoin(current_url, link)
    if not _under(absolute, base_url):
        raise HttpIngestError(
            f"{label}: the next link {link!r} leaves the connection's base URL {base_url}; "
            "Airloom does not follow it (the connection's credentials would go with it)"
        )
    return absolute[len(base_url.rstrip("/")) :]


def _redirects_stay_under(base_url: str, label: str) -> Callable[..., Any]:
    """A requests response hook refusing a redirect out of the base URL before it is followed.

    requests drops ``Authorization`` on such a hop but not the connection's other headers
    (API keys in its extra), so the hop is refused rather than followed.
    """

    def check(response: Any, *args: Any, **kwargs: Any) -> Any:
        if response.is_redirect:
            target = urljoin(response.url, response.headers["location"])
            if not _under(target, base_url):
                raise HttpIngestError(
                    f"{label}: {response.url} redirects to {target}, outside the connection's "
                    f"base URL {base_url}; Airloom does not follow it (the connection's "
                    "credentials would go with it)"
                )
        return response

    return check


def fetch_records(
    hook: Any,
    endpoint: str,
    records_path: str,
    pagination: Pagination,
    label: str,
    query: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> tuple[list[Any], int]:
    """Every record of every page, and how many pages were read.

    :param hook: an ``HttpHook`` for GET requests.
    :param label: who is asking (``node 'orders'``), for error messages.
    """
    style = pagination.style
    params: dict[str, Any] = dict(query or {})
    if style == "page":
        params[pagination.page_param] = pagination.first_page
    elif style == "offset":
        params.update({pagination.offset_param: 0, pagination.limit_param: pagination.page_size})
    base_url = hook.url_from_endpoint("")
    redirect_check = {"response": [_redirects_stay_under(base_url, label)]}
    records: list[Any] = []
    pages = 0
    while True:
        if pages == pagination.max_pages:
            raise HttpIngestError(
                f"{label}: more pages remain after max_pages={pagination.max_pages} "
                f"(next: {hook.url_from_endpoint(endpoint)}{f' with {params}' if params else ''}); "
                "raise max_pages"
            )
        url = hook.url_from_endpoint(endpoint)
        try:
            response = hook.run(
                endpoint, data=params, headers=dict(headers or {}), hooks=redirect_check
            )
        except HttpIngestError:
            raise
        except Exception as error:  # requests and the hook raise several classes
            sent = f" with {params}" if params else ""
            raise HttpIngestError(f"{label}: GET {url}{sent} failed: {error}") from error
        pages += 1
        where = f"page {pages} ({response.url})"
        try:
            page = dig(response.json(), records_path)
        except ValueError as error:
            raise HttpIngestError(f"{label}: {where} is not JSON: {error}") from error
        except KeyError as error:
            raise HttpIngestError(
                f"{label}: {where} has no {records_path!r} (missing {error.args[0]!r})"
            ) from error
        if not isinstance(page, list):
            raise HttpIngestError(
                f"{label}: {where}: {records_path or 'the response'!r} is a "
                f"{type(page).__name__}, not a list of records"
            )
        records += page
        if style == "next_link":
            try:
                link = dig(response.json(), pagination.next_link_path)
            except KeyError:
                link = None
            if not link:
                break
            endpoint, params = _endpoint_of(str(link), response.url, base_url, label), {}
        elif style == "page" and page:
            params[pagination.page_param] += 1
        elif style == "offset" and len(page) >= pagination.page_size:
            params[pagination.offset_param] += len(page)
        else:
            break
    return records, pages
